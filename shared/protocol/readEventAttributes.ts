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

/** RFC 3339 date-time, as CloudEvents requires of `time`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Reads and validates the binary-mode CloudEvents headers: the context attributes CloudEvents
 * 1.0 requires (`ce-specversion` 1.0, non-empty `ce-id`, `ce-source` and `ce-type`, an RFC 3339
 * `ce-time` when sent) and the service's own extensions. Nothing here touches the body: the
 * signature is checked on these attributes first.
 */
export function readEventAttributes(headers: Headers): EventAttributes {
  const type = required(headers, HeaderNames.type);
  const connectionId = required(headers, HeaderNames.connectionId);
  const hub = required(headers, HeaderNames.hub);
  const eventName = required(headers, HeaderNames.eventName);
  const origin = required(headers, HeaderNames.requestOrigin);
  const specVersion = headers.get(HeaderNames.specVersion);
  if (specVersion !== "1.0") {
    throw invalid(
      specVersion === null
        ? "ce-specversion is missing"
        : `ce-specversion is '${specVersion.slice(0, 16)}', not 1.0`,
    );
  }
  const id = headers.get(HeaderNames.id);
  if (id === null || id === "") throw invalid("ce-id is missing");
  const source = headers.get(HeaderNames.source);
  if (source === null || source === "") throw invalid("ce-source is missing");
  const optional = (name: string): string | undefined => {
    const value = headers.get(name);
    return value === null || value === "" ? undefined : value;
  };
  const time = optional(HeaderNames.time);
  if (time !== undefined && !(RFC3339.test(time) && !Number.isNaN(Date.parse(time)))) {
    throw invalid("ce-time is not an RFC 3339 timestamp");
  }
  return {
    kind: kindOf(type),
    id,
    time,
    type,
    source,
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

function invalid(reason: string): HttpError {
  return new HttpError(400, `not a valid binary-mode CloudEvent: ${reason}`);
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
