import { app, lazyHandler } from "./adapter/entry.js";

/** Client access URL for the signed-in caller (App Service authentication principal). */
export const negotiate = lazyHandler(
  async () => (await import("./handlers/negotiateHandler.js")).negotiateHandler,
);

app.http("negotiate", {
  route: "negotiate",
  methods: ["GET"],
  authLevel: "anonymous",
  handler: negotiate,
});
