import { app, lazyHandler } from "./adapter/entry.js";

/** The admin API (`api/admin/...`): service operations for callers holding the admin role. */
export const admin = lazyHandler(
  async () => (await import("./handlers/adminHandler.js")).adminHandler,
);

app.http("admin", {
  route: "admin/{*path}",
  methods: ["GET", "PUT", "POST", "DELETE"],
  authLevel: "anonymous",
  handler: admin,
});
