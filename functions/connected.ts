import { app } from "@azure/functions";
import { eventFunction } from "./adapter/eventFunction.js";

/** `connected` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const connected = eventFunction("connected");

app.http("connected", {
  route: "events/connected",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: connected,
});
