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
}

/**
 * Connection state. Every method costs O(1) table operations, except those that name a
 * bounded fan-out (a connection's groups, a user's connection slots, a group's members) and the
 * reconciler's scans.
 */
export interface StateStore {
  /** The same store with every call also ended when `signal` (an event's deadline) aborts. */
  withSignal(signal: AbortSignal): StateStore;
  /**
   * `connect`: reserves one of the user's `maxPerUser` slots (0: no limit) with a conditional
   * insert, then records the connection and its initial memberships. Idempotent for a retried
   * connect; releases the slot when the connection cannot be recorded.
   */
  openConnection(record: ConnectionRecord, maxPerUser: number): Promise<OpenConnectionResult>;
  getConnection(hub: string, connectionId: string): Promise<StoredConnection | undefined>;
  /** Idempotent; leaves a marker so the connection id is never taken as live again. */
  removeConnection(hub: string, connectionId: string, userId: string | undefined): Promise<void>;
  getMembership(hub: string, group: string, connectionId: string): Promise<Membership | undefined>;
  /** The connection's groups (members and tombstones), at most `upTo`. */
  listConnectionGroups(hub: string, connectionId: string, upTo: number): Promise<ConnectionGroup[]>;
  /**
   * Writes the connection's index row, then the group's member row. It does not check that the
   * connection is still live: the service call that follows a join does (the service refuses a
   * closed connection, and the join then takes its rows back), and rows written after a
   * disconnect listed the connection's groups are removed with its marker by the purge.
   */
  addMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinedBy: EventStamp,
  ): Promise<void>;
  /**
   * Revokes the membership; its index row stays a tombstone until the connection goes, naming
   * the leave and, when given, the join it undid. Without an index row, one is made only with
   * `markIfAbsent`.
   */
  removeMembership(
    hub: string,
    connectionId: string,
    group: string,
    leftBy: EventStamp,
    options?: { joinedBy?: EventStamp; markIfAbsent?: boolean },
  ): Promise<void>;
  /** Drops the tombstones of groups the connection left, to keep its index within its cap. */
  forgetLeftGroups(hub: string, connectionId: string, groups: readonly string[]): Promise<void>;
  /** Deletes a membership outright: the undo of an `addMembership` whose service call failed. */
  deleteMembership(hub: string, connectionId: string, group: string): Promise<void>;
  listGroupMembers(hub: string, group: string, maxUsers: number): Promise<GroupMembers>;
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
   * its disconnect left behind (memberships, the user's slot), until `limit` or `stopAt`.
   */
  purgeGoneConnections(
    hub: string,
    goneBefore: Date,
    limit: number,
    stopAt?: number,
  ): Promise<{ purged: number; complete: boolean }>;
  /**
   * Removes membership, index and slot rows whose connection is recorded as gone or not
   * recorded at all (slots only once older than `slotGraceMs`), and send claims older than
   * `sendWindowMs`; reads at most `maxRows` rows of each kind (ten times as many expired send
   * claims, deleted a transaction at a time) and stops at `stopAt`.
   */
  sweepOrphans(hub: string, options: SweepOptions): Promise<SweepReport>;
}
