import { createHmac, type KeyObject } from "node:crypto";
import type { TableClient } from "@azure/data-tables";

/** The request pipeline of an Azure SDK client (`@azure/core-rest-pipeline`'s). */
export type Pipeline = TableClient["pipeline"];
type PipelinePolicy = Parameters<Pipeline["addPolicy"]>[0];

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

/**
 * Puts `policy` in the place of the policy named `name`, if the pipeline has it (one added
 * without a phase, as the SDKs add their signing policies, and last of those, as they are).
 * False when it has none, and the pipeline is left as it was.
 */
export function replacePolicy(pipeline: Pipeline, name: string, policy: PipelinePolicy): boolean {
  if (!pipeline.getOrderedPolicies().some((existing) => existing.name === name)) return false;
  pipeline.removePolicy({ name });
  pipeline.addPolicy(policy);
  return true;
}

/** The Web PubSub SDK's policy that signs each REST call with the access key. */
export const WEB_PUBSUB_KEY_POLICY = "webPubSubKeyCredentialPolicy";

const JWT_HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/**
 * Signs each REST call with the same token the Web PubSub SDK's access-key policy makes (HS256,
 * `iat`, `exp` an hour later, `aud` the request URL), with node:crypto directly rather than
 * through jsonwebtoken, which validates its options and claims and parses the expiry ("1h") on
 * every call.
 */
export function webPubSubKeyPolicy(key: KeyObject): PipelinePolicy {
  return {
    name: "switchboardWebPubSubKeyPolicy",
    sendRequest(request, next) {
      const iat = Math.floor(Date.now() / 1000);
      const claims = JSON.stringify({ iat, exp: iat + 3600, aud: request.url });
      const unsigned = `${JWT_HEADER}.${Buffer.from(claims).toString("base64url")}`;
      const signature = createHmac("sha256", key).update(unsigned).digest("base64url");
      request.headers.set("Authorization", `Bearer ${unsigned}.${signature}`);
      return next(request);
    },
  };
}
