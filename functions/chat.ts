import { app, lazyHandler } from "./adapter/entry.js";

/** The demo chat page (SWITCHBOARD_DEMO_PAGE). */
export const chat = lazyHandler(
  async () => (await import("./handlers/chatHandler.js")).chatHandler,
);

app.http("chat", { route: "chat", methods: ["GET"], authLevel: "anonymous", handler: chat });
