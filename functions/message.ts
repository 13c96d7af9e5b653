import { app } from "@azure/functions";
import { eventFunction } from "./adapter/eventFunction.js";

/** `message` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const message = eventFunction("message");

app.http("message", {
  route: "events/message",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: message,
});
