import type { ManagedIdentityTokenSource } from "../types.js";

/** The part of `@azure/core-auth`'s `TokenCredential` the emulator uses. */
export interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<{ token: string } | null>;
}

/**
 * Managed identity tokens from an `@azure/identity` credential (`DefaultAzureCredential`,
 * `ManagedIdentityCredential`…): a resource is asked for as the scope `<resource>/.default`.
 */
export function tokenCredentialSource(credential: TokenCredentialLike): ManagedIdentityTokenSource {
  return {
    getToken: async (resource) => {
      const scope = resource.endsWith("/.default") ? resource : `${resource}/.default`;
      const token = await credential.getToken(scope);
      if (token === null) throw new Error(`the credential gave no token for ${scope}`);
      return token.token;
    },
  };
}
