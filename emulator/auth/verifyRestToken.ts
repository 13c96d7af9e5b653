import { decodeProtectedHeader } from "jose";
import type { EntraTokenVerifier } from "./EntraTokenVerifier.js";
import { verifyToken, type TokenResult } from "./verifyToken.js";

export interface RestAuth {
  /** Keys an HS256 token may be signed with; none under `disableLocalAuth`. */
  readonly accessKeys: readonly string[];
  readonly entraId: EntraTokenVerifier | undefined;
}

/**
 * A REST bearer token: HS256 is an access-key token (checked against the keys and the request
 * URL as audience), any other algorithm an Entra ID token.
 */
export async function verifyRestToken(
  token: string,
  auth: RestAuth,
  audiences: readonly string[],
): Promise<TokenResult> {
  let algorithm: unknown;
  try {
    algorithm = decodeProtectedHeader(token).alg;
  } catch {
    return { ok: false, reason: "the token is not a JWT" };
  }
  if (algorithm === "HS256") {
    if (auth.accessKeys.length === 0) {
      return { ok: false, reason: "local authentication (access keys) is disabled" };
    }
    return verifyToken(token, auth.accessKeys, { audiences });
  }
  if (auth.entraId === undefined) {
    return { ok: false, reason: "only access-key (HS256) tokens are accepted" };
  }
  return await auth.entraId.verify(token);
}
