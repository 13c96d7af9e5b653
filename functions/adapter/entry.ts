import { app } from "@azure/functions";
import { lazyOnce } from "../../shared/lazyOnce.js";

/**
 * Everything an entry module (functions/*.ts) imports, and the app's one piece of global setup.
 * `app` is re-exported so the package is resolved once rather than from every entry. Entry
 * modules stay tiny, so a cold start imports little beyond `@azure/functions`; each request
 * path loads what it needs on first use.
 */
export { app };

// Requests reach the functions over an HTTP connection, their bodies unbuffered, so a body
// limit is enforced while the body arrives (`readLimitedBody.ts`). Needs Functions host 4.28+.
app.setup({ enableHttpStream: true });

// Fail closed: a missing or malformed setting stops the app at start-up, naming every problem.
app.hook.appStart(async () => {
  (await import("./startApp.js")).startApp();
});

/** A handler whose implementation is imported on its first call, once. */
export function lazyHandler<A extends unknown[], R>(
  load: () => Promise<(...args: A) => R | Promise<R>>,
): (...args: A) => Promise<R> {
  const loaded = lazyOnce(load);
  return async (...args) => await (await loaded())(...args);
}
