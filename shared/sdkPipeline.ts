import type { TableClient } from "@azure/data-tables";

/** The request pipeline of an Azure SDK client (`@azure/core-rest-pipeline`'s). */
export type Pipeline = TableClient["pipeline"];

/**
 * Policies of the SDKs' default pipeline that do nothing for the calls Switchboard makes, yet
 * each is one more async step on every call (or every attempt), some with work of their own:
 * - `tracingPolicy`: Switchboard registers no tracer, so the span it starts for each attempt is
 *   never recorded; it still sanitizes the URL and builds the span's attributes first.
 * - `decompressResponsePolicy`: asks for gzip or deflate answers (the SDK decompresses only
 *   answers to requests that asked); Switchboard reads only small JSON answers or none.
 * - `wrapAbortSignalLikePolicy`: wraps abort signals that are not `AbortSignal`s; every call
 *   passes an `AbortSignal`.
 * - `formDataPolicy`, `multipartPolicy`: for form-data and multipart bodies, which no call has
 *   (a table transaction's multipart body is already a string).
 *
 * Kept: the retry policy (exponential, throttling and system-error retries), redirects, proxy
 * settings, the user agent, the client request id, and the SDKs' own and signing policies.
 */
const IDLE_POLICIES = [
  "tracingPolicy",
  "decompressResponsePolicy",
  "wrapAbortSignalLikePolicy",
  "formDataPolicy",
  "multipartPolicy",
] as const;

/**
 * Removes from a client's pipeline the policies that do nothing here, and `logPolicy` too when
 * the SDK's logging is off: it is switched on by `AZURE_LOG_LEVEL` or `DEBUG`, read as the SDK
 * loads, and Switchboard never calls `setLogLevel`.
 */
export function trimPipeline(pipeline: Pipeline, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of IDLE_POLICIES) pipeline.removePolicy({ name });
  if (!sdkLoggingOn(env)) pipeline.removePolicy({ name: "logPolicy" });
}

function sdkLoggingOn(env: NodeJS.ProcessEnv): boolean {
  return (env.AZURE_LOG_LEVEL ?? "") !== "" || (env.DEBUG ?? "") !== "";
}
