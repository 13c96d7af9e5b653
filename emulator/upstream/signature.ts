import { createHmac } from "node:crypto";

/**
 * `sha256=<hex HMAC-SHA256(key, connectionId)>` for each access key, primary first, joined by
 * `,` — as the service signs every event with each of its two keys.
 */
export function signature(accessKeys: readonly string[], connectionId: string): string {
  return accessKeys.map((key) => `sha256=${hmacHex(key, connectionId)}`).join(",");
}

function hmacHex(accessKey: string, connectionId: string): string {
  return createHmac("sha256", Buffer.from(accessKey, "utf8"))
    .update(Buffer.from(connectionId, "utf8"))
    .digest("hex");
}
