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

/** One group of a connection, as its index row says. */
export interface ConnectionGroup {
  readonly group: string;
  /** `left`: a tombstone remembering which join event a leave undid. */
  readonly state: "member" | "left";
  /** The `ce-id` of the event that made the membership (`connect` for initial groups). */
  readonly joinEventId: string;
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

/**
 * Connection state. Every method costs O(1) table operations, except those that name a
 * bounded fan-out (a connection's groups, a user's connection slots, a group's members).
 */
export interface StateStore {
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
  /** Returns false (and records nothing) when the connection's disconnect was already recorded. */
  addMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinEventId: string,
  ): Promise<boolean>;
  /** Revokes the membership; its index row stays as a tombstone until the connection goes. */
  removeMembership(hub: string, connectionId: string, group: string): Promise<void>;
  /** Drops the tombstones of groups the connection left, to keep its index within its cap. */
  forgetLeftGroups(hub: string, connectionId: string, groups: readonly string[]): Promise<void>;
  /** Deletes a membership outright: the undo of an `addMembership` whose service call failed. */
  deleteMembership(hub: string, connectionId: string, group: string): Promise<void>;
  listGroupMembers(hub: string, group: string, maxUsers: number): Promise<GroupMembers>;
  /** Live connections recorded before `connectedBefore`, page by page: the reconciler's scan. */
  listLiveConnections(
    hub: string,
    connectedBefore: Date,
  ): AsyncIterable<{ connectionId: string; userId: string }[]>;
  /**
   * Deletes the markers of connections that went away before `goneBefore`, each after whatever
   * its disconnect left behind (memberships, the user's slot); returns how many.
   */
  purgeGoneConnections(hub: string, goneBefore: Date, limit: number): Promise<number>;
}
