import type {
  ConnectedRequest,
  ConnectRequest,
  DisconnectedRequest,
  UserEventRequest,
} from "@azure/web-pubsub-express";

/** Which handler an event goes to. */
export type EventKind = "connect" | "connected" | "user" | "disconnected";

/** Marks a JSON user event whose body did not parse; the router answers it with an error ack. */
export const INVALID_JSON: unique symbol = Symbol("invalid JSON");

/** A verified, decoded upstream event, in the vocabulary of `@azure/web-pubsub-express`. */
export type WebPubSubEvent = {
  /** `ce-id` and `ce-source`: together unique per event, so retries of one event share them. */
  readonly id: string;
  readonly source: string;
  /** `ce-time`, when sent. */
  readonly time: string | undefined;
  /** Size of the request body in bytes. */
  readonly size: number;
} & (
  | { readonly kind: "connect"; readonly request: ConnectRequest }
  | { readonly kind: "connected"; readonly request: ConnectedRequest }
  | { readonly kind: "user"; readonly request: UserEventRequest }
  | { readonly kind: "disconnected"; readonly request: DisconnectedRequest }
);

/** A user event (`message` and custom events) with its decoded body. */
export type UserEvent = Extract<WebPubSubEvent, { kind: "user" }>;
