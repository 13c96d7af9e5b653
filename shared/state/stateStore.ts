/** A connection as `connect` records it: who it is and what it may do, before any user event. */
export interface ConnectionRecord {
  readonly hub: string;
  readonly connectionId: string;
  readonly userId: string;
  /** Groups the connection is in from the start (token and settings). */
  readonly groups: readonly string[];
  /** Effective roles: the token's, the configured ones and what the connect answer granted. */
  readonly roles: readonly string[];
  readonly subprotocol: string | undefined;
  readonly connectedAt: Date;
}

/** What the store knows of a connection, for deciding what its events may do. */
export interface StoredConnection {
  readonly state: "live" | "gone";
  readonly userId: string;
  readonly roles: readonly string[];
}

/** A connection's membership of one group, carrying what a send to the group checks. */
export interface Membership {
  readonly userId: string;
  readonly roles: readonly string[];
}

/** Which event did something, for telling a re-delivered or late event from a new one. */
export interface EventStamp {
  /** The CloudEvents `id`. */
  readonly id: string;
  /** The CloudEvents `time`, if the event carried one. */
  readonly time: string | undefined;
}

/** One group of a connection, as its index row says. */
export interface ConnectionGroup {
  readonly group: string;
  /** `left`: a tombstone remembering the join a leave undid and the leave itself. */
  readonly state: "member" | "left";
  /** The event that made the membership (`connect` for initial groups). */
  readonly joinedBy: EventStamp;
  /** For a tombstone: the leave. */
  readonly leftBy: EventStamp | undefined;
}

/** Outcome of recording a `connect`. */
export type OpenConnectionResult =
  | "opened"
  /** The user already holds `maxPerUser` live connections. */
  | "limit-reached"
  /** The connection id was recorded as disconnected: a replayed or very late connect. */
  | "gone"
  /** The connection id is recorded for another user. */
  | "taken";

/** The outcome of a `connect` and the presence its initial groups changed. */
export interface OpenedConnection {
  readonly outcome: OpenConnectionResult;
  /** `online` for each presence group the connection made its user present in. */
  readonly presence: readonly PresenceChange[];
}

/**
 * A user became present in a presence group (its first connection joined) or absent (its last
 * connection left): what the group is told.
 */
export interface PresenceChange {
  readonly group: string;
  readonly userId: string;
  readonly state: "online" | "offline";
}

/** A group's users, each with how many of its connections are in the group. */
export interface GroupMemberCounts {
  readonly members: { readonly userId: string; readonly connections: number }[];
  /** True when the group holds more than was returned. */
  readonly truncated: boolean;
}

export interface GroupMembers {
  /** Distinct user ids, in the order first seen. */
  readonly users: readonly string[];
  /** True when the group holds more than was returned. */
  readonly truncated: boolean;
}

/** What the store knew of a send with the same (connection, client id) when it was claimed. */
export type SendClaim =
  | { readonly outcome: "claimed" }
  | { readonly outcome: "sent"; readonly messageId: string }
  /** Claimed by an attempt that has not finished (or died); `since` is when. */
  | { readonly outcome: "pending"; readonly since: Date; readonly etag: string };

/** The budget and clock of one pass of the orphan sweep. */
export interface SweepOptions {
  readonly maxRows: number;
  readonly slotGraceMs: number;
  readonly sendWindowMs: number;
  readonly now: Date;
  /** When the pass must stop (a `Date.now()` value). */
  readonly stopAt?: number;
}

/** How far one pass of the orphan sweep got. */
export interface SweepReport {
  readonly scanned: number;
  readonly removed: number;
  /** False when the pass stopped at a budget; the next pass starts over. */
  readonly complete: boolean;
  /** `offline` for each user the pass removed the last listed connection of from a group. */
  readonly presence: readonly PresenceChange[];
}

/**
 * Connection state. Every method costs O(1) table operations, except those that name a
 * bounded fan-out (a connection's groups, a user's connection slots, a group's members) and the
 * reconciler's scans.
 */
export interface StateStore {
  /** The same store with every call also ended when `signal` (an event's deadline) aborts. */
  withSignal(signal: AbortSignal): StateStore;
  /** True when `group` matches a `SWITCHBOARD_PRESENCE_GROUPS` pattern. */
  isPresenceGroup(group: string): boolean;
  /**
   * `connect`: reserves one of the user's `maxPerUser` slots (0: no limit) with a conditional
   * insert, then records the connection, its row in the user's index, and its initial
   * memberships (with presence). Idempotent for a retried connect, which changes no presence;
   * releases the slot when the connection cannot be recorded.
   */
  openConnection(record: ConnectionRecord, maxPerUser: number): Promise<OpenedConnection>;
  getConnection(hub: string, connectionId: string): Promise<StoredConnection | undefined>;
  /**
   * Idempotent; leaves a marker so the connection id is never taken as live again. Returns the
   * `offline` changes of presence groups it was the user's last connection in.
   */
  removeConnection(
    hub: string,
    connectionId: string,
    userId: string | undefined,
  ): Promise<PresenceChange[]>;
  /**
   * The user's live connections (of at most `limit` its index lists): index rows are written by
   * `connect` and removed with the purge of the connection's marker or by the reconciler's
   * sweep, so each listed connection's row is read for its state (one read each).
   */
  listUserConnections(hub: string, userId: string, limit: number): Promise<string[]>;
  /** The groups the connection is a member of (not those it left). */
  getConnectionGroups(hub: string, connectionId: string): Promise<string[]>;
  getMembership(hub: string, group: string, connectionId: string): Promise<Membership | undefined>;
  /** The connection's groups (members and tombstones), at most `upTo`. */
  listConnectionGroups(hub: string, connectionId: string, upTo: number): Promise<ConnectionGroup[]>;
  /**
   * Writes the connection's index row, then the group's member row, then, in a presence group,
   * adds the connection to the user's presence row (`online` when it is the user's first). It
   * does not check that the connection is still live: the service call that follows a join does
   * (the service refuses a closed connection, and the join then takes its rows back), and rows
   * written after a disconnect listed the connection's groups are removed with its marker by
   * the purge, and from the presence row by the sweep.
   */
  addMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinedBy: EventStamp,
  ): Promise<PresenceChange | undefined>;
  /**
   * Revokes the membership; its index row stays a tombstone until the connection goes, naming
   * the leave and, when given, the join it undid. Without an index row, one is made only with
   * `markIfAbsent`. In a presence group the connection leaves the user's presence row last
   * (`offline` when it was the user's last); `userId`, when the caller knows the connection's
   * user, saves reading it.
   */
  removeMembership(
    hub: string,
    connectionId: string,
    group: string,
    leftBy: EventStamp,
    options?: { joinedBy?: EventStamp; markIfAbsent?: boolean; userId?: string },
  ): Promise<PresenceChange | undefined>;
  /** Drops the tombstones of groups the connection left, to keep its index within its cap. */
  forgetLeftGroups(hub: string, connectionId: string, groups: readonly string[]): Promise<void>;
  /**
   * Deletes a membership outright, its index row included: the undo of an `addMembership` whose
   * service call failed, and an admin's removal. In a presence group, `offline` when it was the
   * user's last connection there.
   */
  deleteMembership(
    hub: string,
    connectionId: string,
    group: string,
  ): Promise<PresenceChange | undefined>;
  listGroupMembers(hub: string, group: string, maxUsers: number): Promise<GroupMembers>;
  /**
   * Each user of the group with its number of connections there, at most `maxUsers` users: from
   * the presence rows in a presence group (one row per user), else from the member rows.
   */
  listGroupMemberCounts(hub: string, group: string, maxUsers: number): Promise<GroupMemberCounts>;
  /**
   * Claims a send by its client id with a conditional insert, before it is routed. A claim
   * older than `windowMs` counts as absent (and is taken over).
   */
  claimSend(
    hub: string,
    connectionId: string,
    clientId: string,
    messageId: string,
    windowMs: number,
  ): Promise<SendClaim>;
  /** Takes over a pending claim (at its etag): false when another attempt changed it first. */
  reclaimSend(
    hub: string,
    connectionId: string,
    clientId: string,
    messageId: string,
    etag: string,
  ): Promise<boolean>;
  /** Marks a claimed send as routed. */
  confirmSend(hub: string, connectionId: string, clientId: string): Promise<void>;
  /** Drops a claim whose send failed, so a retry is sent. */
  releaseSend(hub: string, connectionId: string, clientId: string): Promise<void>;
  /** Live connections recorded before `connectedBefore`, page by page: the reconciler's scan. */
  listLiveConnections(
    hub: string,
    connectedBefore: Date,
  ): AsyncIterable<{ connectionId: string; userId: string }[]>;
  /**
   * Deletes the markers of connections that went away before `goneBefore`, each after whatever
   * its disconnect left behind (memberships with their presence, the user's slot), until
   * `limit` or `stopAt`. Returns the `offline` changes that made.
   */
  purgeGoneConnections(
    hub: string,
    goneBefore: Date,
    limit: number,
    stopAt?: number,
  ): Promise<{ purged: number; complete: boolean; presence: PresenceChange[] }>;
  /**
   * Removes membership, index and slot rows whose connection is recorded as gone or not
   * recorded at all, and takes such connections out of presence rows (user index and slot rows,
   * and presence entries, for a connection not recorded only once the row is older than
   * `slotGraceMs`), and removes send claims older than `sendWindowMs`; reads at most `maxRows`
   * rows of each kind (ten times as many expired send claims, deleted a transaction at a time)
   * and stops at `stopAt`.
   */
  sweepOrphans(hub: string, options: SweepOptions): Promise<SweepReport>;
}
