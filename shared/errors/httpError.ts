/** Statuses the app answers on purpose; anything else is an unexpected failure (500). */
export type ClientErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429;

/**
 * An expected failure with a status and a reason that is safe to show the caller.
 * The error boundary answers it as is; every other error becomes an opaque 500.
 */
export class HttpError extends Error {
  constructor(
    readonly status: ClientErrorStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}
