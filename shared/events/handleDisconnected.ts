import type { DisconnectedRequest } from "@azure/web-pubsub-express";
import { announceAll } from "../presence/announcePresence.js";
import type { EventResponse } from "../protocol/eventResponse.js";
import type { EventDeps } from "./eventDeps.js";

/**
 * Removes the connection and its memberships, then tells each presence group the connection
 * was its user's last connection in that the user went offline; answers only after both.
 */
export async function handleDisconnected(
  request: DisconnectedRequest,
  deps: EventDeps,
): Promise<EventResponse> {
  const { context } = request;
  const changes = await deps.store.removeConnection(
    context.hub,
    context.connectionId,
    context.userId,
  );
  await announceAll(deps.service, changes, deps.log);
  return { status: 204 };
}
