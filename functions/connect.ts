import { app, lazyHandler } from "./adapter/entry.js";

/** `connect` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const connect = lazyHandler(async () =>
  (await import("./adapter/eventFunction.js")).eventFunction("connect"),
);

app.http("connect", {
  route: "events/connect",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: connect,
});
