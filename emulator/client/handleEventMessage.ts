import type { ClientConnection } from "../core/ClientConnection.js";
import { payloadFromHttp, payloadFromJsonMessage } from "../core/payload.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { describe } from "../upstream/Upstream.js";
import { ackError, ackOk, type Ack } from "./ack.js";

/**
 * An `event` message becomes the upstream user event of that name. A 200 body goes back to the
 * sender as a server message (before the ack); a failure is acked `InternalServerError`.
 */
export async function handleEventMessage(
  context: EmulatorContext,
  connection: ClientConnection,
  message: Record<string, unknown>,
): Promise<Ack> {
  const event = message.event;
  if (typeof event !== "string" || event === "") {
    return ackError(0, "BadRequest", "An `event` name is required.");
  }
  const payload = payloadFromJsonMessage(message.dataType, message.data);
  if (!payload) return ackError(0, "BadRequest", "`data` does not fit `dataType`.");
  const response = await context.upstream.userEvent(connection, event, payload);
  if (!response || response.status < 200 || response.status >= 300) {
    const why = response ? describe(response) : `no handler for event '${event}'`;
    context.log(`event ${event} of ${connection.id} failed: ${why}`);
    return ackError(0, "InternalServerError", "The upstream failed to handle the event.");
  }
  if (response.status !== 204 && response.body.length > 0) {
    const answer = payloadFromHttp(
      response.headers.get("content-type") ?? undefined,
      response.body,
    );
    if (!answer) {
      return ackError(
        0,
        "InternalServerError",
        "The upstream answered an unsupported content type.",
      );
    }
    context.connections.deliver(connection, answer, { from: "server" });
  }
  return ackOk();
}
