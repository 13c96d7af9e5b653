import type { ConnectedRequest } from "@azure/web-pubsub-express";
import type { EventResponse } from "../protocol/eventResponse.js";
import type { EventDeps } from "./eventDeps.js";

/** Records the connection and its initial groups; answers only after the write succeeded. */
export async function handleConnected(
  request: ConnectedRequest,
  deps: EventDeps,
): Promise<EventResponse> {
  const { context } = request;
  const result = await deps.store.addConnection({
    hub: context.hub,
    connectionId: context.connectionId,
    userId: context.userId ?? "",
    groups: stringList(context.states.groups),
    roles: stringList(context.states.roles),
    subprotocol: context.subprotocol,
    connectedAt: new Date(),
  });
  if (result === "disconnected-earlier") {
    deps.log.info("connected arrived after disconnected; not recorded", {
      connectionId: context.connectionId,
    });
  }
  return { status: 204 };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}
