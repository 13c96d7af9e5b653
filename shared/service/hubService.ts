export interface ClientAccess {
  readonly url: string;
  readonly expiresAt: Date;
}

export interface ClientAccessRequest {
  readonly userId: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly minutes: number;
}

/** Which recipients of a send or a close to leave out, as the service takes them. */
export interface Exclusions {
  /** Connection ids left out (`excluded`). */
  readonly excluded?: readonly string[];
  /** An OData filter over `connectionId`, `userId` and `groups` (`filter`). */
  readonly filter?: string;
}

/** What closing connections tells their clients. */
export interface CloseOptions {
  readonly reason?: string;
  readonly excluded?: readonly string[];
}

/** The per-connection permissions the service grants, each for one group or for all. */
export type Permission = "sendToGroup" | "joinLeaveGroup";

/** The data-plane calls the app makes, for the one configured hub. Each method is one REST call. */
export interface HubService {
  /** The same service with every call also ended when `signal` (an event's deadline) aborts. */
  withSignal(signal: AbortSignal): HubService;
  sendToAll(message: object, options?: Exclusions): Promise<void>;
  sendToGroup(group: string, message: object, options?: Exclusions): Promise<void>;
  sendToUser(userId: string, message: object, options?: Pick<Exclusions, "filter">): Promise<void>;
  /** Returns false when the service no longer knows the connection. */
  sendToConnection(connectionId: string, message: object): Promise<boolean>;
  /** Returns false when the service no longer knows the connection. */
  addToGroup(group: string, connectionId: string): Promise<boolean>;
  removeFromGroup(group: string, connectionId: string): Promise<void>;
  /** Removes every connection of the user from the group, as far as the service knows them. */
  removeUserFromGroup(group: string, userId: string): Promise<void>;
  removeUserFromAllGroups(userId: string): Promise<void>;
  removeConnectionFromAllGroups(connectionId: string): Promise<void>;
  closeAll(options: CloseOptions): Promise<void>;
  closeUser(userId: string, options: CloseOptions): Promise<void>;
  closeGroup(group: string, options: CloseOptions): Promise<void>;
  /** Returns false when the service no longer knows the connection. */
  closeConnection(connectionId: string, reason: string | undefined): Promise<boolean>;
  /** `group` undefined: the permission for every group. Each returns false for an unknown connection. */
  grantPermission(connectionId: string, permission: Permission, group?: string): Promise<boolean>;
  revokePermission(connectionId: string, permission: Permission, group?: string): Promise<void>;
  hasPermission(connectionId: string, permission: Permission, group?: string): Promise<boolean>;
  connectionExists(connectionId: string): Promise<boolean>;
  userExists(userId: string): Promise<boolean>;
  groupExists(group: string): Promise<boolean>;
  getClientAccess(request: ClientAccessRequest): Promise<ClientAccess>;
}
