/** The routes under `events/`: the service resolves `{event}` to the event name, or `validate`. */
export const EVENT_ROUTES = [
  "validate",
  "connect",
  "connected",
  "message",
  "disconnected",
] as const;

export type EventRoute = (typeof EVENT_ROUTES)[number];

/** Hard cap on an upstream body: the service's 1 MB frame limit plus room for envelopes. */
export const MAX_EVENT_BODY_BYTES = 1024 * 1024 + 64 * 1024;
