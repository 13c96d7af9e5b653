import type {
  HttpHandler,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from "@azure/functions";
import { startupWarnings } from "../../shared/config/startupWarnings.js";
import { DependencyError, HttpError, toError } from "../../shared/errors.js";
import type { Log } from "../../shared/log/log.js";
import { getRuntime, type Runtime } from "../../shared/runtime.js";
import {
  jsonResponse,
  textResponse,
  type EventResponse,
} from "../../shared/protocol/eventResponse.js";
import { contextLog } from "./contextLog.js";
import { toHttpResponse } from "./toHttpResponse.js";

export type CoreHandler = (
  request: HttpRequest,
  runtime: Runtime,
  log: Log,
  context: InvocationContext,
) => Promise<HttpResponseInit>;

let warned: Runtime | undefined;

/**
 * How a function answers its errors: as text, or (the admin API) as
 * `{"error":{"code","message"}}`, a dependency's failure then as 503 `unavailable`.
 */
export type ErrorStyle = "text" | "json";

/**
 * The one error boundary of every function: an HttpError is answered with its status and
 * reason; anything else is logged with the invocation id and answered with an opaque 500
 * (which makes the service retry where it retries).
 */
export function withErrorBoundary(handler: CoreHandler, style: ErrorStyle = "text"): HttpHandler {
  return async (request, context) => {
    const log = contextLog(context);
    try {
      const runtime = getRuntime();
      if (warned !== runtime) {
        warned = runtime;
        for (const warning of startupWarnings(runtime.config)) log.warn(warning);
      }
      return await handler(request, runtime, log, context);
    } catch (thrown) {
      if (thrown instanceof HttpError) {
        log.info("request refused", { status: thrown.status, reason: thrown.message });
        return toHttpResponse(refusal(thrown, style));
      }
      const error = toError(thrown);
      log.error(
        "request failed",
        error instanceof DependencyError
          ? { dependency: error.dependency, status: error.status, reason: error.reason }
          : { error: error.name },
        error,
      );
      return toHttpResponse(failure(error, style));
    }
  };
}

function refusal(error: HttpError, style: ErrorStyle): EventResponse {
  if (style === "text") return textResponse(error.status, error.message);
  const code = error.code ?? STATUS_CODES[error.status];
  return jsonResponse(
    error.status,
    { error: { code, message: error.message } },
    { ...error.headers },
  );
}

function failure(error: Error, style: ErrorStyle): EventResponse {
  if (style === "text") return textResponse(500, "internal error");
  if (error instanceof DependencyError) {
    const seconds =
      error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    return jsonResponse(
      503,
      { error: { code: "unavailable", message: `${error.message}; try again` } },
      seconds === undefined ? {} : { "Retry-After": String(seconds) },
    );
  }
  return jsonResponse(500, { error: { code: "internal", message: "internal error" } });
}

/** The code of a refusal that names none (a body limit, say). */
const STATUS_CODES: Readonly<Record<HttpError["status"], string>> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};
