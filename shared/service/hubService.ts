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

/** The data-plane calls the app makes, for the one configured hub. Each method is one REST call. */
export interface HubService {
  /** The same service with every call also ended when `signal` (an event's deadline) aborts. */
  withSignal(signal: AbortSignal): HubService;
  sendToGroup(group: string, message: object): Promise<void>;
  sendToUser(userId: string, message: object): Promise<void>;
  /** Returns false when the service no longer knows the connection. */
  addToGroup(group: string, connectionId: string): Promise<boolean>;
  removeFromGroup(group: string, connectionId: string): Promise<void>;
  connectionExists(connectionId: string): Promise<boolean>;
  getClientAccess(request: ClientAccessRequest): Promise<ClientAccess>;
}
