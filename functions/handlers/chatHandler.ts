import { HttpError } from "../../shared/errors.js";
import { CHAT_PAGE } from "../../web/chatPage.js";
import { withErrorBoundary } from "../adapter/withErrorBoundary.js";

/** The demo chat page, only where SWITCHBOARD_DEMO_PAGE is on (local development). */
export const chatHandler = withErrorBoundary(async (_request, runtime) => {
  if (!runtime.config.demoPage) throw new HttpError(404, "the demo page is off");
  return await Promise.resolve({
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:",
      "Cache-Control": "no-store",
    },
    body: CHAT_PAGE,
  });
});
