import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { handleJsonMessage } from "./handleJsonMessage.js";
import { handleRawFrame } from "./handleRawFrame.js";

/**
 * Handles a client's frames one after another, in the order they arrived — also those still
 * queued when the socket closed (their events are sent before `disconnected`).
 */
export function handleFrame(
  context: EmulatorContext,
  connection: ClientConnection,
  data: Buffer,
  isBinary: boolean,
): void {
  connection.inbound = connection.inbound
    .then(async () => {
      if (connection.kind === "raw") await handleRawFrame(context, connection, data, isBinary);
      else await handleJsonMessage(context, connection, data);
    })
    .catch((error: unknown) => {
      context.log(`frame from ${connection.id} failed: ${String(error)}`);
    });
}
