import { app, lazyHandler } from "./adapter/entry.js";

/** Every five minutes: remove connections whose `disconnected` event was lost. */
export const reconcile = lazyHandler(
  async () => (await import("./handlers/reconcileHandler.js")).reconcileHandler,
);

app.timer("reconcile", { schedule: "0 */5 * * * *", handler: reconcile });
