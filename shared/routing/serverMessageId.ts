import { createHash } from "node:crypto";
import type { MessageId } from "./messageTypes.js";

/**
 * The id recipients see for a `send`. With the client's own `id`, derived from the connection
 * and that id, so every retry of the message (a new event each time) gets the same id; without
 * one, from the event's `ce-source` and `ce-id` (unique per event by the CloudEvents spec), so a
 * re-delivery of the event does.
 */
export function serverMessageId(
  event: { readonly source: string; readonly id: string },
  connectionId: string,
  clientId: MessageId | undefined,
): string {
  const basis =
    clientId === undefined
      ? `event\n${event.source}\n${event.id}`
      : `client\n${connectionId}\n${clientIdKey(clientId)}`;
  return createHash("sha256").update(basis, "utf8").digest("base64url").slice(0, 22);
}

/** The client's id as a key: `1` and `"1"` are different ids. */
export function clientIdKey(clientId: MessageId): string {
  return typeof clientId === "number" ? `n:${clientId}` : `s:${clientId}`;
}
