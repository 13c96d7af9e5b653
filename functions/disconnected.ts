import { app } from "@azure/functions";
import { eventFunction } from "./adapter/eventFunction.js";

/** `disconnected` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const disconnected = eventFunction("disconnected");

app.http("disconnected", {
  route: "events/disconnected",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: disconnected,
});
