/** A live connection as the store knows it. */
export interface ConnectionRecord {
  readonly hub: string;
  readonly connectionId: string;
  readonly userId: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  readonly subprotocol: string | undefined;
  readonly connectedAt: Date;
}

export interface GroupMember {
  readonly connectionId: string;
  readonly userId: string;
}

/** Outcome of recording a `connected` event. */
export type AddConnectionResult = "added" | "disconnected-earlier";

/**
 * Connection state. Every method costs O(1) table operations, except those that name a
 * bounded fan-out (a connection's groups, a user's connections, a group's members).
 */
export interface StateStore {
  /** Idempotent; never resurrects a connection whose `disconnected` was already recorded. */
  addConnection(record: ConnectionRecord): Promise<AddConnectionResult>;
  /** Idempotent; leaves a marker so a late `connected` cannot bring the connection back. */
  removeConnection(hub: string, connectionId: string, userId: string | undefined): Promise<void>;
  /** Counts a user's live connections, stopping once `upTo` is reached. */
  countUserConnections(hub: string, userId: string, upTo: number): Promise<number>;
  /** Returns false (and records nothing) when the connection's disconnect was already recorded. */
  addMembership(hub: string, connectionId: string, userId: string, group: string): Promise<boolean>;
  removeMembership(hub: string, connectionId: string, group: string): Promise<void>;
  isMember(hub: string, group: string, connectionId: string): Promise<boolean>;
  listGroupMembers(hub: string, group: string, limit: number): Promise<GroupMember[]>;
  /** Live connections recorded before `connectedBefore`, page by page: the reconciler's scan. */
  listLiveConnections(hub: string, connectedBefore: Date): AsyncIterable<ConnectionRecord[]>;
  /** Deletes the markers of connections that went away before `goneBefore`; returns how many. */
  purgeGoneConnections(hub: string, goneBefore: Date, limit: number): Promise<number>;
}
