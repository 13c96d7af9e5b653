/**
 * A value built on first use, once; a failed build is forgotten, so the next call tries again
 * (a dependency that was down at the first request does not stay down for the process).
 */
export function lazyOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return async () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return await pending;
  };
}
