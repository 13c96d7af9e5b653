import type { ClientConnection } from "../core/ClientConnection.js";
import { isValidGroup } from "../core/names.js";
import { payloadFromJsonMessage } from "../core/payload.js";
import { hasPermission } from "../core/permissions.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { ackError, ackOk, type Ack } from "./ack.js";

/** joinGroup, leaveGroup and sendToGroup, each checked against the connection's roles. */
export function handleGroupMessage(
  context: EmulatorContext,
  connection: ClientConnection,
  message: Record<string, unknown>,
): Ack {
  const group = message.group;
  if (!isValidGroup(group)) return ackError(0, "BadRequest", "A valid `group` is required.");
  const hub = context.hubs.get(connection.hub);
  if (message.type === "sendToGroup") {
    if (!hasPermission(connection.roles, "sendToGroup", group)) {
      return ackError(0, "Forbidden", `The connection may not send to group '${group}'.`);
    }
    const payload = payloadFromJsonMessage(message.dataType, message.data);
    if (!payload) return ackError(0, "BadRequest", "`data` does not fit `dataType`.");
    const noEcho = message.noEcho === true;
    const origin = {
      from: "group" as const,
      group,
      ...(connection.userId === undefined ? {} : { fromUserId: connection.userId }),
    };
    for (const member of hub.members(group)) {
      if (noEcho && member === connection) continue;
      context.connections.deliver(member, payload, origin);
    }
    return ackOk();
  }
  if (!hasPermission(connection.roles, "joinLeaveGroup", group)) {
    return ackError(0, "Forbidden", `The connection may not join or leave group '${group}'.`);
  }
  if (message.type === "joinGroup") hub.join(connection, group);
  else hub.leave(connection, group);
  return ackOk();
}
