import { CloudEvent, HTTP, ValidationError } from "cloudevents";
import { HttpError } from "../errors.js";
import { HeaderNames, SystemEventTypes, USER_EVENT_TYPE_PREFIX } from "./headerNames.js";
import type { EventKind } from "./webPubSubEvent.js";

/** The CloudEvents attributes of one upstream request, read from its headers only. */
export interface EventAttributes {
  readonly kind: EventKind;
  readonly id: string;
  /** `ce-time`, when sent. */
  readonly time: string | undefined;
  readonly type: string;
  readonly source: string;
  readonly hub: string;
  readonly connectionId: string;
  readonly eventName: string;
  readonly origin: string;
  readonly userId: string | undefined;
  readonly subprotocol: string | undefined;
  readonly connectionState: string | undefined;
  readonly signature: string | null;
  readonly contentType: string | undefined;
  readonly physicalConnectionId: string | undefined;
}

/**
 * Reads and validates the binary-mode CloudEvents headers with the `cloudevents` package.
 * Nothing here touches the body: the signature is checked on these attributes first.
 */
export function readEventAttributes(headers: Headers): EventAttributes {
  const type = required(headers, HeaderNames.type);
  const connectionId = required(headers, HeaderNames.connectionId);
  const hub = required(headers, HeaderNames.hub);
  const eventName = required(headers, HeaderNames.eventName);
  const origin = required(headers, HeaderNames.requestOrigin);
  const event = toCloudEvent(headers);
  const optional = (name: string): string | undefined => {
    const value = headers.get(name);
    return value === null || value === "" ? undefined : value;
  };
  return {
    kind: kindOf(type),
    id: event.id,
    time: optional(HeaderNames.time),
    type,
    source: headers.get(HeaderNames.source) ?? event.source,
    hub,
    connectionId,
    eventName,
    origin,
    userId: optional(HeaderNames.userId),
    subprotocol: optional(HeaderNames.subprotocol),
    connectionState: optional(HeaderNames.connectionState),
    signature: headers.get(HeaderNames.signature),
    contentType: optional(HeaderNames.contentType),
    physicalConnectionId: optional("ce-physicalconnectionid"),
  };
}

const CONTEXT_HEADERS = [
  HeaderNames.specVersion,
  HeaderNames.id,
  HeaderNames.source,
  HeaderNames.type,
  HeaderNames.time,
  HeaderNames.contentType,
] as const;

function toCloudEvent(headers: Headers) {
  // The context attributes of the spec; the service's extensions (ce-hub, ce-connectionId…)
  // are read from the headers directly, so they are not copied into the event.
  const record: Record<string, string> = {};
  for (const name of CONTEXT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) record[name] = value;
  }
  // ce-source is opaque to us; escape it so an unusual connection id cannot fail URI validation.
  const source = record[HeaderNames.source];
  if (source !== undefined) record[HeaderNames.source] = encodeURI(source);
  try {
    const parsed = HTTP.toEvent({ headers: record, body: undefined });
    if (Array.isArray(parsed)) throw new HttpError(400, "batched CloudEvents are not supported");
    // toEvent builds an unvalidated CloudEvent; validate its required attributes, ids and times.
    const event = parsed instanceof CloudEvent ? parsed : new CloudEvent(parsed);
    event.validate();
    return event;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof ValidationError || error instanceof TypeError) {
      throw new HttpError(400, `not a valid binary-mode CloudEvent: ${describe(error)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function describe(error: Error): string {
  if (error instanceof ValidationError && error.errors?.length) {
    return error.errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ");
  }
  return error.message.split("\n")[0] ?? "invalid";
}

function kindOf(type: string): EventKind {
  switch (type) {
    case SystemEventTypes.connect:
      return "connect";
    case SystemEventTypes.connected:
      return "connected";
    case SystemEventTypes.disconnected:
      return "disconnected";
    default:
      if (type.startsWith(USER_EVENT_TYPE_PREFIX) && type.length > USER_EVENT_TYPE_PREFIX.length) {
        return "user";
      }
      throw new HttpError(400, `unknown event type '${type.slice(0, 100)}'`);
  }
}

function required(headers: Headers, name: string): string {
  const value = headers.get(name);
  if (value === null || value.trim() === "") throw new HttpError(400, `${name} header is missing`);
  return value;
}
