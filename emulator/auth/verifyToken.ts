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

/** Verifies an HS256 JWT signed with the access key: signature, `exp` (required), `aud`. */
export function verifyToken(token: string, accessKey: string, options: VerifyOptions): TokenResult {
  let decoded: string | jwt.JwtPayload;
  try {
    decoded = jwt.verify(token, accessKey, {
      algorithms: ["HS256"],
      clockTolerance: CLOCK_SKEW_SECONDS,
      ignoreExpiration: options.ignoreExpiration === true,
    });
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : "invalid token" };
  }
  if (typeof decoded === "string") return { ok: false, reason: "token payload is not JSON" };
  if (typeof decoded.exp !== "number") return { ok: false, reason: "token has no exp" };
  const audiences = decoded.aud === undefined ? [] : [decoded.aud].flat();
  const accepted = new Set(options.audiences.flatMap(variants));
  if (!audiences.some((aud) => variants(aud).some((form) => accepted.has(form)))) {
    return { ok: false, reason: `audience ${audiences.join(",") || "(none)"} does not match` };
  }
  return { ok: true, claims: decoded };
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
