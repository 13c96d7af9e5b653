import { setTimeout as delay } from "node:timers/promises";

export interface UpstreamResponse {
  /** 0 when the request failed without an HTTP answer (network error, timeout). */
  status: number;
  headers: Headers;
  body: Buffer;
  error?: string;
}

export interface RequestPolicy {
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  /** Aborted when the emulator closes. */
  signal: AbortSignal;
}

/** One HTTP request; network failures and timeouts become status 0. */
export async function request(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Buffer },
  policy: Pick<RequestPolicy, "timeoutMs" | "signal">,
): Promise<UpstreamResponse> {
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: "manual",
      signal: AbortSignal.any([policy.signal, AbortSignal.timeout(policy.timeoutMs)]),
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    return { status: 0, headers: new Headers(), body: Buffer.alloc(0), error: message };
  }
}

/** Whether the service retries an answer: network errors, 408 and 5xx. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status >= 500;
}

/** POSTs, retrying network errors, 408 and 5xx after each delay of the policy (the same event). */
export async function postWithRetry(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  policy: RequestPolicy,
): Promise<UpstreamResponse> {
  let response = await request(url, { method: "POST", headers, body }, policy);
  for (const wait of policy.retryDelaysMs) {
    if (!isRetryable(response.status) || policy.signal.aborted) break;
    try {
      await delay(wait, undefined, { signal: policy.signal });
    } catch {
      break;
    }
    response = await request(url, { method: "POST", headers, body }, policy);
  }
  return response;
}
