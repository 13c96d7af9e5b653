import type { DisconnectedRequest } from "@azure/web-pubsub-express";
import type { EventResponse } from "../protocol/eventResponse.js";
import type { EventDeps } from "./eventDeps.js";

/** Removes the connection and its memberships; answers only after the store is updated. */
export async function handleDisconnected(
  request: DisconnectedRequest,
  deps: EventDeps,
): Promise<EventResponse> {
  const { context } = request;
  await deps.store.removeConnection(context.hub, context.connectionId, context.userId);
  return { status: 204 };
}
