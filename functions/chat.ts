import { app } from "@azure/functions";
import { lazyHandler } from "./adapter/lazyHandler.js";

/** The demo chat page (SWITCHBOARD_DEMO_PAGE). */
export const chat = lazyHandler(
  async () => (await import("./handlers/chatHandler.js")).chatHandler,
);

app.http("chat", { route: "chat", methods: ["GET"], authLevel: "anonymous", handler: chat });
