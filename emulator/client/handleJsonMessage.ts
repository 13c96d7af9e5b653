import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { ackError, type Ack } from "./ack.js";
import { handleEventMessage } from "./handleEventMessage.js";
import { handleGroupMessage } from "./handleGroupMessage.js";

/**
 * One message of the JSON subprotocols (json.webpubsub.azure.v1 and its reliable form). Messages with an `ackId` are
 * acknowledged; a repeated `ackId` is answered `Duplicate` and not executed again.
 */
export async function handleJsonMessage(
  context: EmulatorContext,
  connection: ClientConnection,
  data: Buffer,
): Promise<void> {
  let message: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data.toString("utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    message = parsed as Record<string, unknown>;
  } catch {
    context.connections.close(connection, "The message is not valid JSON.", 1008);
    return;
  }
  const type = message.type;
  if (type === "ping") {
    connection.sendJson({ type: "pong" });
    return;
  }
  if (type === "sequenceAck") {
    if (typeof message.sequenceId === "number") connection.buffer.ack(message.sequenceId);
    return;
  }
  if (type === "invoke") {
    connection.sendJson({
      type: "invokeResponse",
      invocationId: message.invocationId,
      success: false,
      error: { name: "NotSupported", message: "The emulator does not support invocations." },
    });
    return;
  }
  if (message.ackId !== undefined && !isUnsignedInteger(message.ackId)) {
    context.connections.close(connection, "ackId must be an unsigned integer.", 1008);
    return;
  }
  const ackId = message.ackId;
  if (ackId !== undefined) {
    if (connection.hasSeenAckId(ackId)) {
      connection.sendJson(
        ackError(ackId, "Duplicate", "The message with this ackId was already handled."),
      );
      return;
    }
    connection.rememberAckId(ackId);
  }
  const ack = await execute(context, connection, message);
  if (ackId !== undefined) connection.sendJson({ ...ack, ackId });
}

async function execute(
  context: EmulatorContext,
  connection: ClientConnection,
  message: Record<string, unknown>,
): Promise<Ack> {
  switch (message.type) {
    case "joinGroup":
    case "leaveGroup":
    case "sendToGroup":
      return handleGroupMessage(context, connection, message);
    case "event":
      return await handleEventMessage(context, connection, message);
    default:
      context.log(`unsupported message type ${String(message.type)} from ${connection.id}`);
      return ackError(0, "BadRequest", `Unsupported message type '${String(message.type)}'.`);
  }
}

function isUnsignedInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
