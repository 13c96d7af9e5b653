import { createHash } from "node:crypto";

/** Longest encoded part kept readable; longer values are hashed so every key stays under 1 KiB. */
const MAX_PLAIN_LENGTH = 300;

/**
 * Encodes any string (slashes, `#`, `?`, control characters, emoji, 1,000+ characters) into
 * characters Table Storage keys allow. Short values are base64url (reversible, sortable per
 * value); long ones become `~` + base64url(SHA-256), which base64url itself never starts with,
 * and strings with lone surrogates `!` + SHA-256 of their UTF-16 code units.
 * The original value is always stored as a property beside the key.
 */
export function keyPart(value: string): string {
  if (!value.isWellFormed()) {
    // UTF-8 would fold lone surrogates into U+FFFD; hash the UTF-16 code units instead.
    return `!${createHash("sha256").update(Buffer.from(value, "utf16le")).digest("base64url")}`;
  }
  const encoded = Buffer.from(value, "utf8").toString("base64url");
  if (encoded.length <= MAX_PLAIN_LENGTH) return encoded;
  return `~${createHash("sha256").update(value, "utf8").digest("base64url")}`;
}

/** Partition and row keys of every row kind, in one place. */
export const Keys = {
  /** One row per connection; all of a hub's connections share a partition. */
  connection: (hub: string, connectionId: string) => ({
    partitionKey: `c.${keyPart(hub)}`,
    rowKey: keyPart(connectionId),
  }),
  connectionsOfHub: (hub: string) => `c.${keyPart(hub)}`,
  /** One row per (group, connection): a group's presence is one partition query. */
  groupMember: (hub: string, group: string, connectionId: string) => ({
    partitionKey: `g.${keyPart(hub)}.${keyPart(group)}`,
    rowKey: keyPart(connectionId),
  }),
  membersOfGroup: (hub: string, group: string) => `g.${keyPart(hub)}.${keyPart(group)}`,
  /** One row per (connection, group): a disconnect finds its groups in one partition query. */
  connectionGroup: (hub: string, connectionId: string, group: string) => ({
    partitionKey: `m.${keyPart(hub)}.${keyPart(connectionId)}`,
    rowKey: keyPart(group),
  }),
  groupsOfConnection: (hub: string, connectionId: string) =>
    `m.${keyPart(hub)}.${keyPart(connectionId)}`,
  /** One row per (user, connection): counts a user's connections for the per-user limit. */
  userConnection: (hub: string, userId: string, connectionId: string) => ({
    partitionKey: `u.${keyPart(hub)}.${keyPart(userId)}`,
    rowKey: keyPart(connectionId),
  }),
  connectionsOfUser: (hub: string, userId: string) => `u.${keyPart(hub)}.${keyPart(userId)}`,
} as const;
