/** Statuses the app answers on purpose; anything else is an unexpected failure (500). */
export type ClientErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429;

/**
 * An expected failure with a status and a reason that is safe to show the caller.
 * The error boundary answers it as is; every other error becomes an opaque 500.
 */
export class HttpError extends Error {
  /** A machine-readable code, for callers answered in JSON (the admin API). */
  readonly code: string | undefined;
  /** Extra response headers (`Allow` for a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: ClientErrorStatus,
    message: string,
    options: { cause?: unknown; code?: string; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.code = options.code;
    this.headers = options.headers ?? {};
  }
}

/** The dependencies the app calls; `event` stands for an event's own deadline. */
export type Dependency = "table" | "service" | "identity" | "event";

const DEPENDENCY_NAMES: Record<Dependency, string> = {
  table: "Table Storage",
  service: "the Web PubSub REST API",
  identity: "Microsoft Entra ID",
  event: "the event",
};

/**
 * A dependency failed (refused with a status that is not the sender's fault, timed out, or
 * could not be reached): the operator's or the platform's problem, never the client's. Logged
 * as an error and answered as a server failure (`unavailable` to a sender, 5xx to the service).
 */
export class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    /** The status the dependency answered, if it answered. */
    readonly status: number | undefined,
    readonly reason: "refused" | "timeout" | "unreachable",
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    const what =
      reason === "refused"
        ? `answered ${status ?? "an error"}`
        : reason === "timeout"
          ? "ran past its deadline"
          : "could not be reached";
    super(`${DEPENDENCY_NAMES[dependency]} ${what}`, { cause: options.cause });
    this.name = "DependencyError";
    this.retryAfterMs = options.retryAfterMs;
  }

  /** How long the dependency asked callers to wait (a 429's Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
}

/**
 * The service refused a call for a reason that lies in what the sender asked for: a name it
 * does not accept (400), or a connection it no longer has (404). Answered to the sender as an ack.
 */
export class ServiceRefusal extends Error {
  constructor(
    readonly code: "bad_message" | "gone",
    readonly status: 400 | 404,
    options: { cause?: unknown } = {},
  ) {
    super(`the service refused the request (${status})`, options);
    this.name = "ServiceRefusal";
  }
}

/**
 * `@azure/identity` could not get the app a token (no identity, refused, unreachable): the
 * credential's failure, reported as Entra ID's rather than as the service that was to be called.
 */
export function credentialFailure(error: unknown): DependencyError | undefined {
  const name = error instanceof Error ? error.name : undefined;
  return name === "CredentialUnavailableError" ||
    name === "AuthenticationError" ||
    name === "AggregateAuthenticationError"
    ? new DependencyError("identity", undefined, "refused", { cause: error })
    : undefined;
}

/** Normalises whatever was thrown into an Error, so boundaries can log it uniformly. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  try {
    // `undefined`, functions and symbols have no JSON form.
    const json = JSON.stringify(thrown) as string | undefined;
    return new Error(json ?? String(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

/** The HTTP status an Azure SDK `RestError` carries, if any. */
export function statusOf(error: unknown): number | undefined {
  if (error !== null && typeof error === "object" && "statusCode" in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}
