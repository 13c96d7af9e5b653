import { app, lazyHandler } from "./adapter/entry.js";

/** The handshake the service sends when it checks the handler URL (`{event}` resolved to `validate`). */
export const validate = lazyHandler(async () =>
  (await import("./adapter/eventFunction.js")).eventFunction("validate"),
);

app.http("validate", {
  route: "events/validate",
  methods: ["OPTIONS"],
  authLevel: "anonymous",
  handler: validate,
});
