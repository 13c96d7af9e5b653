import type { EventResponse } from "../protocol/eventResponse.js";

/**
 * `connect` already recorded the connection, so `connected` has nothing to do: it neither
 * writes (it can never revive a connection that disconnected first) nor reads. A connection the
 * app never accepted (the hub's event handler lacks the `connect` system event) is named in the
 * warning its first user event gets.
 */
export function handleConnected(): EventResponse {
  return { status: 204 };
}
