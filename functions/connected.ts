import { app, lazyHandler } from "./adapter/entry.js";

/** `connected` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const connected = lazyHandler(async () =>
  (await import("./adapter/eventFunction.js")).eventFunction("connected"),
);

app.http("connected", {
  route: "events/connected",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: connected,
});
