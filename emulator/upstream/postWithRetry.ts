import { setTimeout as delay } from "node:timers/promises";

export interface UpstreamResponse {
  /** 0 when the request failed without an HTTP answer (network error, timeout). */
  status: number;
  headers: Headers;
  body: Buffer;
  error?: string;
  /** The request ran out of time: the service does not retry those. */
  timedOut?: boolean;
}

/** Largest upstream answer read (the service's documented limit for response bodies). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

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
    const body = await readCapped(response);
    if (body === undefined) {
      return {
        status: 500,
        headers: new Headers(),
        body: Buffer.alloc(0),
        error: "answer over 16 MiB",
      };
    }
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return { status: 0, headers: new Headers(), body: Buffer.alloc(0), error: message, timedOut };
  }
}

/** Whether the service retries an answer: network errors, 408 and 5xx, but not timeouts. */
export function isRetryable(response: UpstreamResponse): boolean {
  if (response.timedOut === true) return false;
  return response.status === 0 || response.status === 408 || response.status >= 500;
}

async function readCapped(response: Response): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > MAX_RESPONSE_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
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
    if (!isRetryable(response) || policy.signal.aborted) break;
    try {
      await delay(wait, undefined, { signal: policy.signal });
    } catch {
      break;
    }
    response = await request(url, { method: "POST", headers, body }, policy);
  }
  return response;
}
