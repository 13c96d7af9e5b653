import type { JWTPayload, JWTVerifyGetKey, jwtVerify as JwtVerify } from "jose";
import type { Config } from "../config/config.js";
import { DependencyError, HttpError } from "../errors.js";
import { lazyOnce } from "../lazyOnce.js";

type EntraSettings = Extract<Config["eventAuth"], { mode: "entra" }>;

/** Seconds a token's `exp` and `nbf` may be off, for clocks that differ a little. */
const CLOCK_SKEW_SECONDS = 60;
/** Longer than any token Entra ID issues; a bigger header is refused before parsing. */
const MAX_TOKEN_CHARS = 16 * 1024;
/** After a refresh, a token naming an unknown key waits this long before the next one. */
const KEY_REFRESH_COOLDOWN_MS = 30_000;
/** Signing keys are fetched again after this long even when every `kid` is known. */
const KEY_CACHE_MS = 24 * 60 * 60_000;

/** jose's error codes that describe the token, not the key source: the caller's fault (401). */
const TOKEN_FAULTS: Record<string, string> = {
  ERR_JWT_EXPIRED: "the bearer token has expired",
  ERR_JWKS_NO_MATCHING_KEY: "the bearer token is signed by a key the tenant does not publish",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: "the bearer token names no single signing key",
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "the bearer token's signature does not verify",
  ERR_JOSE_ALG_NOT_ALLOWED: "the bearer token is not signed with RS256",
  ERR_JOSE_NOT_SUPPORTED: "the bearer token is not signed with RS256",
  ERR_JWS_INVALID: "the bearer token is not a signed JWT",
  ERR_JWT_INVALID: "the bearer token is not a signed JWT",
};

/**
 * Checks the Entra ID bearer token a hub's event handler sends when it authenticates with a
 * managed identity: RS256 signature against the tenant's published keys (found through its
 * OpenID metadata, cached, fetched again when a token names an unknown key), `exp` and `nbf`,
 * `aud`, the tenant's v1 or v2 issuer and, when configured, the caller's identity. A bad token
 * is the caller's fault (401 with the reason); failing to fetch the keys is Entra ID's (a
 * `DependencyError`). `jose` is loaded on the first event, so the signature mode never loads it.
 */
export class EntraTokenVerifier {
  private readonly keys = lazyOnce(async () => await this.discoverKeys());
  private readonly issuers: readonly string[];

  constructor(
    private readonly settings: EntraSettings,
    private readonly timeoutMs: number,
  ) {
    this.issuers = [
      `https://sts.windows.net/${settings.tenantId}/`,
      `${settings.authority}/${settings.tenantId}/v2.0`,
    ];
  }

  /** Resolves when `authorization` carries an acceptable token; throws otherwise. */
  async verify(authorization: string | null): Promise<void> {
    const token = /^Bearer +([A-Za-z0-9\-_.]+)$/i.exec(authorization?.trim() ?? "")?.[1];
    if (token === undefined) {
      throw new HttpError(401, "Authorization: Bearer <token> is missing or malformed");
    }
    if (token.length > MAX_TOKEN_CHARS) {
      throw new HttpError(401, "the bearer token is longer than any Entra ID issues");
    }
    const claims = await this.verifiedClaims(token);
    if (typeof claims.tid === "string" && claims.tid.toLowerCase() !== this.settings.tenantId) {
      throw new HttpError(401, "the bearer token was issued for another tenant");
    }
    const expected = this.settings.identity;
    if (expected !== undefined) {
      const callers = [claims.oid, claims.appid, claims.azp].filter(
        (value): value is string => typeof value === "string",
      );
      if (!callers.some((caller) => caller.toLowerCase() === expected)) {
        throw new HttpError(401, "the bearer token belongs to another identity");
      }
    }
  }

  private async verifiedClaims(token: string): Promise<JWTPayload> {
    const { jwtVerify, keys } = await this.keys();
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ["RS256"],
        audience: [...this.settings.audiences],
        issuer: [...this.issuers],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ["exp"],
      });
      return payload;
    } catch (error) {
      throw classify(error);
    }
  }

  /** The tenant's signing keys, from the `jwks_uri` of its v2 OpenID metadata, and jose's check. */
  private async discoverKeys(): Promise<{ jwtVerify: typeof JwtVerify; keys: JWTVerifyGetKey }> {
    const metadataUrl = `${this.settings.authority}/${this.settings.tenantId}/v2.0/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await fetch(metadataUrl, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const timeout = error instanceof Error && error.name === "TimeoutError";
      throw new DependencyError("identity", undefined, timeout ? "timeout" : "unreachable", {
        cause: error,
      });
    }
    const metadata: unknown = response.ok ? await response.json().catch(() => null) : null;
    const jwksUri = (metadata as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== "string" || !URL.canParse(jwksUri)) {
      throw new DependencyError("identity", response.status, "refused", {
        cause: new Error(`${metadataUrl} did not name a jwks_uri`),
      });
    }
    const { createRemoteJWKSet, jwtVerify } = await import("jose");
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.timeoutMs,
      cooldownDuration: KEY_REFRESH_COOLDOWN_MS,
      cacheMaxAge: KEY_CACHE_MS,
    });
    return { jwtVerify, keys };
  }
}

function classify(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    const claim = (error as { claim?: unknown }).claim;
    return new HttpError(401, `the bearer token's '${String(claim)}' claim is not accepted`, {
      cause: error,
    });
  }
  const fault = typeof code === "string" ? TOKEN_FAULTS[code] : undefined;
  if (fault !== undefined) return new HttpError(401, fault, { cause: error });
  // Anything else is about fetching the keys: a timeout, an error status, a malformed key set.
  const reason =
    code === "ERR_JWKS_TIMEOUT" ? "timeout" : code === undefined ? "unreachable" : "refused";
  return new DependencyError("identity", undefined, reason, { cause: error });
}
