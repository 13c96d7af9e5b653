/** What an upstream event needs to know about the connection it is about. */
export interface EventSubject {
  readonly id: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly subprotocol: string | undefined;
  connectionState: string | undefined;
  takeEventId(): string;
}

export type SystemEventName = "connect" | "connected" | "disconnected";
