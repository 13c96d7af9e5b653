import type { IncomingMessage } from "node:http";

/** The subprotocol each accepted upgrade answers with (read by the server's handleProtocols). */
export const chosenSubprotocols = new WeakMap<IncomingMessage, string>();
