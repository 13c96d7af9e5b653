import { decodeJwt } from "jose";
import type { ManagedIdentityTokenSource } from "../types.js";

/** A token is fetched again once it has less than this left. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

interface Cached {
  token: string;
  renewAt: number;
}

/**
 * The service's managed identity tokens, one per resource, reused until five minutes before
 * their `exp`. A token whose `exp` cannot be read is used once. Concurrent requests for a
 * resource share one fetch.
 */
export class ManagedIdentityTokens {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly source: ManagedIdentityTokenSource | undefined) {}

  get available(): boolean {
    return this.source !== undefined;
  }

  async get(resource: string): Promise<string> {
    const cached = this.cache.get(resource);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    let fetching = this.pending.get(resource);
    if (!fetching) {
      fetching = this.fetch(resource).finally(() => this.pending.delete(resource));
      this.pending.set(resource, fetching);
    }
    return await fetching;
  }

  private async fetch(resource: string): Promise<string> {
    if (this.source === undefined) throw new Error("the emulator has no managed identity");
    const token = await this.source.getToken(resource);
    if (typeof token !== "string" || token === "") throw new Error("the token is empty");
    const expiresAt = expiry(token);
    if (expiresAt === undefined) this.cache.delete(resource);
    else this.cache.set(resource, { token, renewAt: expiresAt - RENEW_BEFORE_EXPIRY_MS });
    return token;
  }
}

function expiry(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
