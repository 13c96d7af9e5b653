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

/**
 * A hub's connection rows are spread over this many partitions (by a hash of the connection
 * id), so connect and disconnect traffic is not capped by one partition's throughput.
 */
export const CONNECTION_SHARDS = 16;

function shardOf(connectionId: string): number {
  return (createHash("sha256").update(connectionId, "utf8").digest()[0] ?? 0) % CONNECTION_SHARDS;
}

/**
 * Hub names are case-insensitive in the service, which sends `ce-hub` in lower case: every key
 * holds the lower-case name, whatever case the settings or an event use.
 */
function hubPart(hub: string): string {
  return keyPart(hub.toLowerCase());
}

/** Partition and row keys of every row kind, in one place. */
export const Keys = {
  /** One row per connection, in one of the hub's connection shards. */
  connection: (hub: string, connectionId: string) => ({
    partitionKey: `c.${hubPart(hub)}.${shardOf(connectionId).toString(16)}`,
    rowKey: keyPart(connectionId),
  }),
  /** Every connection partition of a hub: the reconciler's scan. */
  connectionShards: (hub: string) =>
    Array.from(
      { length: CONNECTION_SHARDS },
      (_, shard) => `c.${hubPart(hub)}.${shard.toString(16)}`,
    ),
  /** One row per (group, connection): a group's presence is one partition query. */
  groupMember: (hub: string, group: string, connectionId: string) => ({
    partitionKey: `g.${hubPart(hub)}.${keyPart(group)}`,
    rowKey: keyPart(connectionId),
  }),
  membersOfGroup: (hub: string, group: string) => `g.${hubPart(hub)}.${keyPart(group)}`,
  /** One row per (connection, group): a disconnect finds its groups in one partition query. */
  connectionGroup: (hub: string, connectionId: string, group: string) => ({
    partitionKey: `m.${hubPart(hub)}.${keyPart(connectionId)}`,
    rowKey: keyPart(group),
  }),
  groupsOfConnection: (hub: string, connectionId: string) =>
    `m.${hubPart(hub)}.${keyPart(connectionId)}`,
  /**
   * One row per connection slot of a user (0 … limit-1): a connect reserves a slot with a
   * conditional insert, so concurrent connects can never hold more than the limit.
   */
  userSlot: (hub: string, userId: string, slot: number) => ({
    partitionKey: `u.${hubPart(hub)}.${keyPart(userId)}`,
    rowKey: slot.toString().padStart(4, "0"),
  }),
  slotsOfUser: (hub: string, userId: string) => `u.${hubPart(hub)}.${keyPart(userId)}`,
  /**
   * One row per (user, connection) while the connection is live: a user's connections are one
   * partition query.
   */
  userConnection: (hub: string, userId: string, connectionId: string) => ({
    partitionKey: `i.${hubPart(hub)}.${keyPart(userId)}`,
    rowKey: keyPart(connectionId),
  }),
  connectionsOfUser: (hub: string, userId: string) => `i.${hubPart(hub)}.${keyPart(userId)}`,
  /**
   * One row per (presence group, user), listing the user's connections in the group: a
   * group's present users are one partition query.
   */
  presence: (hub: string, group: string, userId: string) => ({
    partitionKey: `p.${hubPart(hub)}.${keyPart(group)}`,
    rowKey: keyPart(userId),
  }),
  presenceOfGroup: (hub: string, group: string) => `p.${hubPart(hub)}.${keyPart(group)}`,
  /** One row per send claimed by its client id, in a partition per connection. */
  sendClaim: (hub: string, connectionId: string, clientId: string) => ({
    partitionKey: `s.${hubPart(hub)}.${keyPart(connectionId)}`,
    rowKey: keyPart(clientId),
  }),
  /**
   * Every partition of one kind (`g`, `m`, `u`, `i`, `p`, `s`) of a hub, as a key range: the orphan
   * sweep's scans. `/` is the character after `.`, so the range ends where the kind's prefix does.
   */
  kindRange: (kind: "g" | "m" | "u" | "i" | "p" | "s", hub: string) => ({
    from: `${kind}.${hubPart(hub)}.`,
    to: `${kind}.${hubPart(hub)}/`,
  }),
} as const;
