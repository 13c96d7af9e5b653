import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { chosenSubprotocols } from "./chosenSubprotocols.js";
import { readClientRequest } from "./clientRequest.js";
import { connectEventBody } from "./connectEventBody.js";
import { connectOutcome } from "./connectOutcome.js";
import { recoverConnection } from "./recoverConnection.js";
import { rejectUpgrade } from "./rejectUpgrade.js";

/**
 * A client WebSocket handshake: authenticate, recover or run the `connect` event, then upgrade
 * and open the connection — or answer with an HTTP error before any upgrade.
 */
export async function handleUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  server: WebSocketServer,
  context: EmulatorContext,
): Promise<void> {
  socket.on("error", () => undefined);
  const read = readClientRequest(req, context.clientTokenKeys, context.host);
  if (!read.ok) {
    context.log(`rejected client (${read.status}): ${read.reason}`);
    rejectUpgrade(socket, read.status, read.reason);
    return;
  }
  const request = read.request;
  if (request.recovery) {
    recoverConnection(req, socket, head, server, context, request);
    return;
  }
  const subject = {
    id: randomBytes(16).toString("base64url"),
    hub: request.hub,
    userId: request.identity.userId,
    subprotocol: undefined,
    connectionState: undefined as string | undefined,
    nextEventId: 0,
    takeEventId(): string {
      return String(this.nextEventId++);
    },
  };
  const response = await context.upstream.connect(subject, connectEventBody(req, request));
  const outcome = connectOutcome(request.identity, request.subprotocols, response);
  if (!outcome.ok) {
    context.log(`rejected client (${outcome.status}): ${outcome.reason}`);
    rejectUpgrade(socket, outcome.status, outcome.reason);
    return;
  }
  if (socket.destroyed) return;
  if (outcome.subprotocol !== undefined) chosenSubprotocols.set(req, outcome.subprotocol);
  server.handleUpgrade(req, socket, head, (ws) => {
    const connection = new ClientConnection({
      id: subject.id,
      hub: request.hub,
      userId: outcome.identity.userId,
      roles: outcome.identity.roles,
      subprotocol: outcome.subprotocol,
      connectionState: subject.connectionState,
      // The connect event is ce-id 0 whether or not a handler received it.
      nextEventId: 1,
    });
    context.connections.open(connection, ws, outcome.identity.groups);
  });
}
