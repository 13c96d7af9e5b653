import { app, lazyHandler } from "./adapter/entry.js";

/** `disconnected` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const disconnected = lazyHandler(async () =>
  (await import("./adapter/eventFunction.js")).eventFunction("disconnected"),
);

app.http("disconnected", {
  route: "events/disconnected",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: disconnected,
});
