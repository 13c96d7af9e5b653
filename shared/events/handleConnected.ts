import type { ConnectedRequest } from "@azure/web-pubsub-express";
import type { EventResponse } from "../protocol/eventResponse.js";
import type { EventDeps } from "./eventDeps.js";

/**
 * `connect` already recorded the connection; `connected` only confirms the record is there, and
 * says so in the log when it is not (the hub's event handler lacks the `connect` system event,
 * or the connection disconnected first). It never writes, so it can never revive a connection.
 */
export async function handleConnected(
  request: ConnectedRequest,
  deps: EventDeps,
): Promise<EventResponse> {
  const { context } = request;
  const stored = await deps.store.getConnection(context.hub, context.connectionId);
  if (stored === undefined) {
    deps.log.warn(
      "connected for a connection this app never accepted: is 'connect' among the hub's system events?",
    );
  } else if (stored.state === "gone") {
    deps.log.info("connected arrived after disconnected; nothing to do");
  }
  return { status: 204 };
}
