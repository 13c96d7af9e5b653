import { HttpError } from "../errors.js";
import type { Log } from "../log/log.js";
import { allowedOrigin, answerAbuseProtection } from "../protocol/answerAbuseProtection.js";
import { decodeEvent } from "../protocol/decodeEvent.js";
import type { EventResponse } from "../protocol/eventResponse.js";
import { HeaderNames } from "../protocol/headerNames.js";
import { isValidSignature } from "../protocol/signature.js";
import { withinDeadline } from "../deadline.js";
import { withEventSignal } from "./eventDeps.js";
import { readEventAttributes, type EventAttributes } from "../protocol/readEventAttributes.js";
import { handleMessage } from "../routing/handleMessage.js";
import type { Runtime } from "../runtime.js";
import { MAX_EVENT_BODY_BYTES, type EventRoute } from "./eventRoutes.js";
import { handleConnect } from "./handleConnect.js";
import { handleDisconnected } from "./handleDisconnected.js";

/** One upstream HTTP request, as plain values. The body is read only once the headers passed. */
export interface EventRequest {
  readonly method: string;
  readonly headers: Headers;
  readBody(maxBytes: number): Promise<Uint8Array>;
}

/**
 * The whole request path of one event route: handshake, CloudEvents attributes, signature,
 * then the body and the event's handler. Expected failures are thrown as HttpError.
 */
export async function handleEventRequest(
  route: EventRoute,
  request: EventRequest,
  runtime: Runtime,
  log: Log,
): Promise<EventResponse> {
  const { config } = runtime;
  if (request.method === "OPTIONS")
    return answerAbuseProtection(request.headers, config.allowedOrigins);
  if (request.method !== "POST" || route === "validate") {
    throw new HttpError(405, `${request.method} is not allowed here`);
  }

  const attributes = readEventAttributes(request.headers);
  const fields = {
    event: attributes.eventName,
    connectionId: attributes.connectionId,
    eventId: attributes.id,
  };
  await authenticate(attributes, request.headers, runtime);
  expectRoute(route, attributes);

  const event = decodeEvent(attributes, await request.readBody(MAX_EVENT_BODY_BYTES));
  const deps = { ...runtime, log: withFields(log, fields), repairStore: runtime.store };
  const { eventMs } = config.deadlines;
  switch (event.kind) {
    case "connect":
      return await withinDeadline(
        eventMs,
        async (signal) => await handleConnect(event.request, withEventSignal(deps, signal)),
      );
    case "connected":
      // `connect` recorded everything; reading or writing here could only revive a connection
      // that disconnected first. A connection never accepted is named by its first user event.
      return { status: 204 };
    case "disconnected":
      return await withinDeadline(
        eventMs,
        async (signal) => await handleDisconnected(event.request, withEventSignal(deps, signal)),
      );
    case "user":
      // Its own deadline inside, so a failure past it is still answered as an ack.
      return await handleMessage(event, deps);
  }
}

/**
 * Origin, then the signature or the bearer token, before anything else: only an authenticated
 * caller learns which hub this app serves, and nothing past the headers is read for anyone else.
 */
async function authenticate(
  attributes: EventAttributes,
  headers: Headers,
  { config, eventTokens }: Runtime,
): Promise<void> {
  if (
    !config.allowedOrigins.any &&
    allowedOrigin(attributes.origin, config.allowedOrigins) === undefined
  ) {
    throw new HttpError(401, "WebHook-Request-Origin is not an allowed Web PubSub host");
  }
  const { eventAuth } = config;
  if (eventAuth.mode === "entra") {
    if (eventTokens === undefined) throw new Error("no Entra ID token verifier was built");
    await eventTokens.verify(headers.get(HeaderNames.authorization));
  } else if (attributes.signature === null) {
    throw new HttpError(401, "ce-signature header is missing");
  } else if (
    !isValidSignature(attributes.signature, attributes.connectionId, eventAuth.signingKeys)
  ) {
    throw new HttpError(401, "ce-signature matches no configured access key");
  }
  // The service sends `ce-hub` in lower case (Azure/azure-sdk-for-js#22134): compare without case.
  if (attributes.hub.toLowerCase() !== config.hub.toLowerCase()) {
    throw new HttpError(
      400,
      `this app handles hub '${config.hub}', not '${attributes.hub.slice(0, 128)}'`,
    );
  }
}

function expectRoute(route: EventRoute, attributes: EventAttributes): void {
  const expectedKind = route === "message" ? "user" : route;
  if (attributes.eventName !== route || attributes.kind !== expectedKind) {
    throw new HttpError(
      400,
      `a '${attributes.eventName.slice(0, 64)}' event was sent to the '${route}' route`,
    );
  }
}

function withFields(log: Log, fields: Record<string, string>): Log {
  return {
    info: (message, extra) => log.info(message, { ...fields, ...extra }),
    warn: (message, extra) => log.warn(message, { ...fields, ...extra }),
    error: (message, extra, error) => log.error(message, { ...fields, ...extra }, error),
  };
}
