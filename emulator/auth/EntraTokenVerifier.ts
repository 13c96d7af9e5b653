import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { EntraIdOptions } from "../types.js";
import type { TokenResult } from "./verifyToken.js";

/** The audience of tokens for Azure Web PubSub (scope `https://webpubsub.azure.com/.default`). */
export const WEB_PUBSUB_AUDIENCE = "https://webpubsub.azure.com";
const AUDIENCES = [WEB_PUBSUB_AUDIENCE, `${WEB_PUBSUB_AUDIENCE}/`];
const CLOCK_SKEW_SECONDS = 300;

/** What makes a token unacceptable, as opposed to a failure to fetch the keys. */
const REFUSALS = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

/**
 * Checks Microsoft Entra ID access tokens for the Web PubSub audience: RS256 against the
 * tenant's published keys (found from its v2.0 OpenID metadata on first use), issuer v1
 * (`https://sts.windows.net/<tenant>/`) or v2 (`<authority>/<tenant>/v2.0`), `exp` required,
 * `nbf`, 5 min skew. Or, with `allowUnvalidatedTokens`, the audience and lifetime only.
 */
export class EntraTokenVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly options: EntraIdOptions) {}

  /** A refusal is a result; failing to reach the authority throws. */
  async verify(token: string): Promise<TokenResult> {
    if ("allowUnvalidatedTokens" in this.options) return unvalidated(token);
    const { authority, tenantId } = this.options;
    const base = authority.replace(/\/+$/, "");
    try {
      const { payload } = await jwtVerify(token, await this.tenantKeys(base, tenantId), {
        algorithms: ["RS256"],
        issuer: [`https://sts.windows.net/${tenantId}/`, `${base}/${tenantId}/v2.0`],
        audience: AUDIENCES,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ["exp"],
      });
      return { ok: true, claims: payload };
    } catch (error) {
      if (REFUSALS.some((type) => error instanceof type)) {
        return { ok: false, reason: (error as Error).message };
      }
      throw error;
    }
  }

  private async tenantKeys(base: string, tenantId: string): Promise<JWTVerifyGetKey> {
    this.keys ??= discoverKeys(`${base}/${tenantId}/v2.0/.well-known/openid-configuration`);
    try {
      return await this.keys;
    } catch (error) {
      this.keys = undefined;
      throw error;
    }
  }
}

async function discoverKeys(metadataUrl: string): Promise<JWTVerifyGetKey> {
  const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    throw new Error(`OpenID metadata ${metadataUrl} answered ${response.status}`);
  }
  const metadata = (await response.json()) as { jwks_uri?: unknown };
  if (typeof metadata.jwks_uri !== "string") {
    throw new Error(`OpenID metadata ${metadataUrl} has no jwks_uri`);
  }
  // A token signed with a key not yet seen fetches the keys again at once (a rotation).
  return createRemoteJWKSet(new URL(metadata.jwks_uri), { cooldownDuration: 0 });
}

function unvalidated(token: string): TokenResult {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : "malformed token" };
  }
  const audiences = [claims.aud].flat().filter((aud) => typeof aud === "string");
  if (!audiences.some((aud) => AUDIENCES.includes(aud))) {
    return { ok: false, reason: `audience ${audiences.join(",") || "(none)"} is not Web PubSub's` };
  }
  const now = Date.now() / 1000;
  if (typeof claims.exp !== "number") return { ok: false, reason: "token has no exp" };
  if (claims.exp + CLOCK_SKEW_SECONDS < now) return { ok: false, reason: "token has expired" };
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_SECONDS > now) {
    return { ok: false, reason: "token is not yet valid" };
  }
  return { ok: true, claims };
}
