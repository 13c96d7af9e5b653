import type { Config } from "../config/config.js";
import { HeaderNames } from "./headerNames.js";
import { textResponse, type EventResponse } from "./eventResponse.js";

/**
 * The CloudEvents webhook handshake: the service sends OPTIONS with `WebHook-Request-Origin`
 * (possibly several hosts, comma-separated); the answer names the one allowed host it matched.
 * `*` is sent only when the configuration explicitly allows any origin.
 */
export function answerAbuseProtection(
  headers: Headers,
  allowedOrigins: Config["allowedOrigins"],
): EventResponse {
  const header = headers.get(HeaderNames.requestOrigin);
  if (header === null || header.trim() === "") {
    return textResponse(400, "WebHook-Request-Origin header is missing");
  }
  const match = allowedOrigin(header, allowedOrigins);
  if (match !== undefined) {
    return { status: 200, headers: { [HeaderNames.allowedOrigin]: match } };
  }
  if (allowedOrigins.any) {
    return { status: 200, headers: { [HeaderNames.allowedOrigin]: "*" } };
  }
  return textResponse(400, "WebHook-Request-Origin is not an allowed Web PubSub host");
}

/**
 * The first host of a `WebHook-Request-Origin` value (comma-separated hosts, any case) that is
 * allowed, if any. The handshake and every event's origin check use this one rule.
 */
export function allowedOrigin(
  header: string,
  allowedOrigins: Config["allowedOrigins"],
): string | undefined {
  return header
    .split(",")
    .map((origin) => origin.trim().toLowerCase())
    .find((origin) => origin !== "" && allowedOrigins.hosts.has(origin));
}
