import { app, lazyHandler } from "./adapter/entry.js";

/** `message` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const message = lazyHandler(async () =>
  (await import("./adapter/eventFunction.js")).eventFunction("message"),
);

app.http("message", {
  route: "events/message",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: message,
});
