import jwt from "jsonwebtoken";

const CLOCK_SKEW_SECONDS = 300;

export type TokenResult =
  { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Accepted audiences, compared case-insensitively. */
  audiences: readonly string[];
  /** Skip the lifetime check (connection recovery keeps the original URL and its token). */
  ignoreExpiration?: boolean;
}

/**
 * Verifies an HS256 JWT signed with any of the access keys (the service accepts either of its
 * two): signature, `exp` (required), `aud`.
 */
export function verifyToken(
  token: string,
  accessKeys: readonly string[],
  options: VerifyOptions,
): TokenResult {
  const signed = verifySignature(token, accessKeys, options.ignoreExpiration === true);
  if (!signed.ok) return signed;
  const decoded = signed.payload;
  if (typeof decoded === "string") return { ok: false, reason: "token payload is not JSON" };
  if (typeof decoded.exp !== "number") return { ok: false, reason: "token has no exp" };
  const audiences = decoded.aud === undefined ? [] : [decoded.aud].flat();
  const accepted = new Set(options.audiences.flatMap(variants));
  if (!audiences.some((aud) => variants(aud).some((form) => accepted.has(form)))) {
    return { ok: false, reason: `audience ${audiences.join(",") || "(none)"} does not match` };
  }
  return { ok: true, claims: decoded };
}

/**
 * The payload of a token signed with one of the keys. A token signed with a key but otherwise
 * bad (expired, malformed) fails at once: another key would not help.
 */
function verifySignature(
  token: string,
  accessKeys: readonly string[],
  ignoreExpiration: boolean,
): { ok: true; payload: string | jwt.JwtPayload } | { ok: false; reason: string } {
  let reason = "no access key";
  for (const key of accessKeys) {
    try {
      const payload = jwt.verify(token, key, {
        algorithms: ["HS256"],
        clockTolerance: CLOCK_SKEW_SECONDS,
        ignoreExpiration,
      });
      return { ok: true, payload };
    } catch (error) {
      reason = error instanceof Error ? error.message : "invalid token";
      const wrongKey =
        error instanceof jwt.JsonWebTokenError && error.message === "invalid signature";
      if (!wrongKey) break;
    }
  }
  return { ok: false, reason };
}

/** The forms an audience is compared in: lowercased, as is and URL-decoded. */
function variants(audience: string): string[] {
  const lower = audience.toLowerCase();
  try {
    return [lower, decodeURIComponent(audience).toLowerCase()];
  } catch {
    return [lower];
  }
}

/** A token from `Authorization: Bearer <token>`, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  return match?.[1]?.trim();
}
