import { createHmac } from "node:crypto";

/** `sha256=<hex HMAC-SHA256(accessKey, connectionId)>`, as the service signs every event. */
export function signature(accessKey: string, connectionId: string): string {
  const digest = createHmac("sha256", Buffer.from(accessKey, "utf8"))
    .update(Buffer.from(connectionId, "utf8"))
    .digest("hex");
  return `sha256=${digest}`;
}
