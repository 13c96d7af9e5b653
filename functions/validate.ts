import { app } from "@azure/functions";
import { eventFunction } from "./adapter/eventFunction.js";

/** The handshake the service sends when it checks the handler URL (`{event}` resolved to `validate`). */
export const validate = eventFunction("validate");

app.http("validate", {
  route: "events/validate",
  methods: ["OPTIONS"],
  authLevel: "anonymous",
  handler: validate,
});
