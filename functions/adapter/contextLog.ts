import type { InvocationContext } from "@azure/functions";
import type { Log, LogFields } from "../../shared/log/log.js";

/**
 * The core's Log over an InvocationContext: the message, then its fields as one JSON object.
 * Errors also carry the invocation id, and the error object itself, which the worker writes
 * whole (stack and cause).
 */
export function contextLog(context: InvocationContext): Log {
  const line = (message: string, fields?: LogFields) =>
    fields === undefined ? [message] : [message, JSON.stringify(fields)];
  return {
    info: (message, fields) => context.info(...line(message, fields)),
    warn: (message, fields) => context.warn(...line(message, fields)),
    error: (message, fields, error) =>
      context.error(
        ...line(message, { ...fields, invocationId: context.invocationId }),
        ...(error === undefined ? [] : [error]),
      ),
  };
}
