import type {
  ConnectionContext,
  ConnectRequest,
  UserEventRequest,
} from "@azure/web-pubsub-express";
import * as z from "zod";
import { HttpError } from "../errors.js";
import { decodeConnectionState } from "./decodeConnectionState.js";
import type { EventAttributes } from "./readEventAttributes.js";
import { INVALID_JSON, type WebPubSubEvent } from "./webPubSubEvent.js";

const stringListMap = z.record(z.string(), z.array(z.string()));

const connectBody = z.looseObject({
  claims: stringListMap.optional(),
  query: stringListMap.optional(),
  headers: stringListMap.optional(),
  subprotocols: z.array(z.string()).optional(),
  clientCertificates: z.array(z.looseObject({ thumbprint: z.string() })).optional(),
});

/** Turns verified attributes and the raw body into the typed event its handler expects. */
export function decodeEvent(attributes: EventAttributes, body: Uint8Array): WebPubSubEvent {
  const context = toConnectionContext(attributes);
  const base = {
    id: attributes.id,
    source: attributes.source,
    time: attributes.time,
    size: body.byteLength,
  };
  switch (attributes.kind) {
    case "connect": {
      const parsed = parseJsonBody(body, connectBody, "connect");
      const request: ConnectRequest = { context, ...parsed, queries: parsed.query };
      return { ...base, kind: "connect", request };
    }
    case "connected":
      return { ...base, kind: "connected", request: { context } };
    case "disconnected":
      // The service does not retry a refused notification, so an odd body must not stop the cleanup.
      return { ...base, kind: "disconnected", request: { context, reason: readReason(body) } };
    case "user":
      return { ...base, kind: "user", request: toUserEventRequest(context, attributes, body) };
  }
}

function toConnectionContext(attributes: EventAttributes): ConnectionContext {
  const mqtt =
    attributes.subprotocol?.toLowerCase().includes("mqtt") === true &&
    attributes.physicalConnectionId !== undefined;
  return {
    signature: attributes.signature ?? "",
    hub: attributes.hub,
    connectionId: attributes.connectionId,
    eventName: attributes.eventName,
    origin: attributes.origin,
    userId: attributes.userId,
    subprotocol: attributes.subprotocol,
    states: decodeConnectionState(attributes.connectionState),
    clientProtocol: mqtt ? "mqtt" : "default",
  };
}

function toUserEventRequest(
  context: ConnectionContext,
  attributes: EventAttributes,
  body: Uint8Array,
): UserEventRequest {
  const mediaType = (attributes.contentType ?? "application/octet-stream")
    .split(";")[0]
    ?.trim()
    .toLowerCase();
  switch (mediaType) {
    case "text/plain":
      return { context, dataType: "text", data: utf8(body) };
    case "application/json": {
      let data: unknown;
      try {
        data = JSON.parse(utf8(body));
      } catch {
        data = INVALID_JSON;
      }
      return { context, dataType: "json", data };
    }
    case "application/octet-stream":
      return { context, dataType: "binary", data: toArrayBuffer(body) };
    default:
      throw new HttpError(
        415,
        `message content type must be text/plain, application/json or application/octet-stream`,
      );
  }
}

/** The informational `reason` of a disconnected body, or undefined whatever the body holds. */
function readReason(body: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(utf8(body));
    if (value !== null && typeof value === "object" && "reason" in value) {
      return typeof value.reason === "string" ? value.reason : undefined;
    }
  } catch {
    // Not JSON: no reason.
  }
  return undefined;
}

function parseJsonBody<T>(body: Uint8Array, schema: z.ZodType<T>, event: string): T {
  let value: unknown;
  try {
    value = JSON.parse(utf8(body));
  } catch {
    throw new HttpError(400, `${event} body is not valid JSON`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new HttpError(400, `${event} body is malformed${where}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

function utf8(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

function toArrayBuffer(body: Uint8Array): ArrayBuffer {
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}
