import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { handleJsonMessage } from "./handleJsonMessage.js";
import { handleRawFrame } from "./handleRawFrame.js";

const PAUSE_AT = 64;
const RESUME_AT = 16;

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
  // Backpressure: with too many frames waiting on a slow handler, stop reading the socket.
  connection.pendingFrames += 1;
  if (connection.pendingFrames >= PAUSE_AT) connection.socket?.pause();
  connection.inbound = connection.inbound
    .then(async () => {
      if (connection.kind === "raw") await handleRawFrame(context, connection, data, isBinary);
      else await handleJsonMessage(context, connection, data);
    })
    .catch((error: unknown) => {
      context.log(`frame from ${connection.id} failed: ${String(error)}`);
    })
    .finally(() => {
      connection.pendingFrames -= 1;
      if (connection.pendingFrames === RESUME_AT) connection.socket?.resume();
    });
}
