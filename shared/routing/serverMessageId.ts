import { createHash } from "node:crypto";

/**
 * The id recipients see. Derived from the event's `ce-source` and `ce-id` (unique per event by
 * the CloudEvents spec), so a retried delivery of one event yields the same id and recipients
 * can drop the duplicate.
 */
export function serverMessageId(source: string, eventId: string): string {
  return createHash("sha256")
    .update(`${source}\n${eventId}`, "utf8")
    .digest("base64url")
    .slice(0, 22);
}
