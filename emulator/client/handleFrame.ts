import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { handleJsonMessage } from "./handleJsonMessage.js";
import { handleRawFrame } from "./handleRawFrame.js";

const queues = new WeakMap<ClientConnection, Promise<void>>();

/** Handles a client's frames one after another, in the order they arrived. */
export function handleFrame(
  context: EmulatorContext,
  connection: ClientConnection,
  data: Buffer,
  isBinary: boolean,
): void {
  const previous = queues.get(connection) ?? Promise.resolve();
  const next = previous
    .then(async () => {
      if (connection.ended) return;
      if (connection.kind === "raw") await handleRawFrame(context, connection, data, isBinary);
      else await handleJsonMessage(context, connection, data);
    })
    .catch((error: unknown) => {
      context.log(`frame from ${connection.id} failed: ${String(error)}`);
    });
  queues.set(connection, next);
}
