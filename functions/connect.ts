import { app } from "@azure/functions";
import { eventFunction } from "./adapter/eventFunction.js";

/** `connect` events: POST from the service; OPTIONS answers the abuse-protection handshake. */
export const connect = eventFunction("connect");

app.http("connect", {
  route: "events/connect",
  methods: ["OPTIONS", "POST"],
  authLevel: "anonymous",
  handler: connect,
});
