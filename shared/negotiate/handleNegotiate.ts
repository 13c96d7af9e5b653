import { HttpError } from "../errors.js";
import type { Log } from "../log/log.js";
import { jsonResponse, type EventResponse } from "../protocol/eventResponse.js";
import type { Runtime } from "../runtime.js";

export interface NegotiateRequest {
  /** The caller's id from the principal headers, trusted only when the platform sets them. */
  readonly principalId: string | undefined;
  /** `?userId=`, honoured only when the development setting allows it. */
  readonly queryUserId: string | undefined;
}

const MAX_USER_ID_LENGTH = 1024;

/**
 * Issues a short-lived client access URL for the authenticated caller. The user id is the
 * caller's principal; the query string is trusted only in development, when configured.
 */
export async function handleNegotiate(
  request: NegotiateRequest,
  { config, service }: Runtime,
  log: Log,
): Promise<EventResponse> {
  // Anyone can send x-ms-client-principal headers; only App Service Authentication replaces them.
  const principalId = config.negotiate.trustPrincipalHeaders ? request.principalId : undefined;
  const userId =
    principalId ?? (config.negotiate.allowQueryUserId ? request.queryUserId : undefined);
  if (userId === undefined || userId.trim() === "") {
    throw new HttpError(
      401,
      "sign in first: negotiate issues access only to an authenticated caller",
    );
  }
  if (userId.length > MAX_USER_ID_LENGTH) {
    throw new HttpError(400, `user ids are limited to ${MAX_USER_ID_LENGTH} characters`);
  }
  const access = await service.getClientAccess({
    userId,
    roles: config.negotiate.roles,
    groups: config.negotiate.groups,
    minutes: config.negotiate.tokenTtlMinutes,
  });
  log.info("client access issued", {
    minutes: config.negotiate.tokenTtlMinutes,
    viaQuery: principalId === undefined,
  });
  return jsonResponse(
    200,
    { url: access.url, expiresAt: access.expiresAt.toISOString() },
    { "Cache-Control": "no-store" },
  );
}
