import { app, lazyHandler } from "./adapter/entry.js";

/**
 * The hub's event handler: the service posts each event to `events/{event}` (connect, connected,
 * message, disconnected) and sends the abuse-protection OPTIONS to any of them or to
 * `events/validate`. Per-event figures stay visible by URL in request telemetry.
 */
export const events = lazyHandler(
  async () => (await import("./handlers/eventsHandler.js")).eventsHandler,
);

app.http("events", {
  route: "events/{event}",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: events,
});
