import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** `hex(HMAC-SHA256(accessKey, connectionId))`: what the service puts after `sha256=` per key. */
export function signConnectionId(accessKey: string, connectionId: string): string {
  return createHmac("sha256", accessKey).update(connectionId, "utf8").digest("hex");
}

/**
 * True when any `sha256=<hex>` entry of the `ce-signature` header matches any key.
 * Hex is compared case-insensitively and in constant time; malformed entries never match.
 */
export function isValidSignature(
  header: string | null,
  connectionId: string,
  keys: readonly string[],
): boolean {
  if (header === null || keys.length === 0) return false;
  const offered = header
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.startsWith(PREFIX) && HEX_DIGEST.test(entry.slice(PREFIX.length)))
    .map((entry) => Buffer.from(entry.slice(PREFIX.length), "hex"));
  let matched = false;
  for (const key of keys) {
    const expected = Buffer.from(signConnectionId(key, connectionId), "hex");
    for (const candidate of offered) {
      // Every pair is compared, so the time taken does not tell which key or entry matched.
      if (timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
