import { request, type RequestPolicy } from "./postWithRetry.js";

const RECHECK_AFTER_SUCCESS_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
const VALIDATION_TIMEOUT_MS = 10_000;

interface Entry {
  allowed: boolean;
  validUntil: number;
  backoffMs: number;
}

/**
 * CloudEvents webhook abuse protection: before events go to a handler, an OPTIONS request to its
 * validation URL must answer 2xx with `WebHook-Allowed-Origin` `*` or the emulator's host. Results
 * are cached per URL; a success for a minute, a failure with a back-off from 1 s up to 1 min.
 */
export class AbuseProtection {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly origin: { hostname: string; host: string },
    private readonly policy: Pick<RequestPolicy, "signal" | "timeoutMs">,
    private readonly log: (line: string) => void,
  ) {}

  /** `headers`: sent with the validation request too (a handler's `Authorization`). */
  async isAllowed(validationUrl: string, headers: Record<string, string> = {}): Promise<boolean> {
    const cached = this.cache.get(validationUrl);
    if (cached && cached.validUntil > Date.now()) return cached.allowed;
    let pending = this.inFlight.get(validationUrl);
    if (!pending) {
      pending = this.validate(validationUrl, cached, headers).finally(() =>
        this.inFlight.delete(validationUrl),
      );
      this.inFlight.set(validationUrl, pending);
    }
    return await pending;
  }

  private async validate(
    url: string,
    previous: Entry | undefined,
    extraHeaders: Record<string, string>,
  ): Promise<boolean> {
    const headers = {
      "WebHook-Request-Origin": this.origin.hostname,
      "ce-awpsversion": "1.0",
      ...extraHeaders,
    };
    const policy = {
      signal: this.policy.signal,
      timeoutMs: Math.min(this.policy.timeoutMs, VALIDATION_TIMEOUT_MS),
    };
    let response = await request(url, { method: "OPTIONS", headers }, policy);
    if (response.status === 404) response = await request(url, { method: "GET", headers }, policy);
    const allowedOrigins = (response.headers.get("webhook-allowed-origin") ?? "")
      .split(",")
      .map((value) => value.trim().toLowerCase());
    const accepted = ["*", this.origin.hostname.toLowerCase(), this.origin.host.toLowerCase()];
    const allowed =
      response.status >= 200 &&
      response.status < 300 &&
      allowedOrigins.some((value) => accepted.includes(value));
    if (allowed) {
      this.cache.set(url, {
        allowed,
        validUntil: Date.now() + RECHECK_AFTER_SUCCESS_MS,
        backoffMs: 0,
      });
    } else {
      const backoffMs = Math.min(
        previous && !previous.allowed ? previous.backoffMs * 2 : FIRST_BACKOFF_MS,
        MAX_BACKOFF_MS,
      );
      this.cache.set(url, { allowed, validUntil: Date.now() + backoffMs, backoffMs });
      const why =
        response.error ?? `status ${response.status}, allowed origin '${allowedOrigins.join(",")}'`;
      this.log(`abuse protection: ${url} refused the emulator (${why})`);
    }
    return allowed;
  }
}
