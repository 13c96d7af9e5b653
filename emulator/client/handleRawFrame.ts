import type { ClientConnection } from "../core/ClientConnection.js";
import { payloadFromHttp, toRawFrame, type Payload } from "../core/payload.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { describe } from "../upstream/Upstream.js";

/**
 * A raw client's frame becomes the upstream `message` event; a 200 body goes back as a frame.
 * No handler or a failed handler drops the client (1011).
 */
export async function handleRawFrame(
  context: EmulatorContext,
  connection: ClientConnection,
  data: Buffer,
  isBinary: boolean,
): Promise<void> {
  const payload: Payload = isBinary
    ? { dataType: "binary", bytes: data }
    : { dataType: "text", text: data.toString("utf8") };
  const response = await context.upstream.userEvent(connection, "message", payload);
  if (!response || response.status < 200 || response.status >= 300) {
    const why = response ? describe(response) : "no handler for the message event";
    context.log(`message event of ${connection.id} failed (${why}); closing the client`);
    context.connections.close(connection, "The upstream failed to handle the message.", 1011);
    return;
  }
  if (response.status === 204 || response.body.length === 0 || !connection.isOpen) return;
  const answer = payloadFromHttp(response.headers.get("content-type") ?? undefined, response.body);
  if (answer) connection.socket?.send(toRawFrame(answer));
}
