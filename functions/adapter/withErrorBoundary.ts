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
import { textResponse } from "../../shared/protocol/eventResponse.js";
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
 * The one error boundary of every function: an HttpError is answered with its status and
 * reason; anything else is logged with the invocation id and answered with an opaque 500
 * (which makes the service retry where it retries).
 */
export function withErrorBoundary(handler: CoreHandler): HttpHandler {
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
        return toHttpResponse(textResponse(thrown.status, thrown.message));
      }
      const error = toError(thrown);
      log.error(
        "request failed",
        error instanceof DependencyError
          ? { dependency: error.dependency, status: error.status, reason: error.reason }
          : { error: error.name },
        error,
      );
      return toHttpResponse(textResponse(500, "internal error"));
    }
  };
}
