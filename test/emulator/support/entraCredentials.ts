import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import type { EntraIssuer, IssueOptions } from "../../fixtures/entraIssuer.js";

/** A `TokenCredential` as the Azure SDKs take one. */
export interface TestCredential {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>;
}

/**
 * A credential whose tokens the issuer signs for the scope's resource (`/.default` dropped, as
 * Entra ID does), or for `audience` when given.
 */
export function issuerCredential(
  issuer: EntraIssuer,
  options: IssueOptions = {},
  audience?: string,
): TestCredential {
  return {
    getToken: async (scopes) => {
      const scope = [scopes].flat()[0] ?? "";
      const token = await issuer.issue(audience ?? scope.replace(/\/\.default$/, ""), options);
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** The issuer's published keys, found as a relying party finds them: from its v2.0 metadata. */
export async function issuerKeys(issuer: EntraIssuer): Promise<JWTVerifyGetKey> {
  const metadataUrl = `${issuer.url}/${issuer.tenantId}/v2.0/.well-known/openid-configuration`;
  const metadata = (await (await fetch(metadataUrl)).json()) as { jwks_uri: string };
  return createRemoteJWKSet(new URL(metadata.jwks_uri));
}

/** Sets the App Service managed identity variables `@azure/identity` reads; returns an undo. */
export function useManagedIdentityEndpoint(issuer: EntraIssuer): () => void {
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = issuer.managedIdentityEndpoint;
  process.env.IDENTITY_HEADER = issuer.identityHeader;
  return () => {
    restore("IDENTITY_ENDPOINT", saved.endpoint);
    restore("IDENTITY_HEADER", saved.header);
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) Reflect.deleteProperty(process.env, name);
  else process.env[name] = value;
}
