/**
 * Everything an entry module (functions/*.ts) imports: `app`, re-exported so the package is
 * resolved once rather than from every entry, and `lazyHandler`. Entry modules stay tiny, so a
 * cold start imports little beyond `@azure/functions`; each request path loads what it needs.
 */
export { app } from "@azure/functions";

/** A handler whose implementation is imported on its first call, once. */
export function lazyHandler<A extends unknown[], R>(
  load: () => Promise<(...args: A) => R | Promise<R>>,
): (...args: A) => Promise<R> {
  let loaded: Promise<(...args: A) => R | Promise<R>> | undefined;
  return async (...args) => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return await (
      await loaded
    )(...args);
  };
}
