import type { UserEventRequest } from "@azure/web-pubsub-express";
import { SettingNames as S } from "../config/settingNames.js";
import { withinDeadline } from "../deadline.js";
import { DependencyError, HttpError, ServiceRefusal } from "../errors.js";
import { withEventSignal, type EventDeps } from "../events/eventDeps.js";
import { jsonResponse, textResponse, type EventResponse } from "../protocol/eventResponse.js";
import { isJsonSubprotocol } from "../protocol/subprotocols.js";
import { INVALID_JSON, type UserEvent } from "../protocol/webPubSubEvent.js";
import { parseClientMessage } from "./clientMessage.js";
import { identifySender } from "./identifySender.js";
import type { Ack, AckErrorCode, MessageId } from "./messageTypes.js";
import { routeMessage, type Outcome } from "./routeMessage.js";

/**
 * The `message` user event. JSON bodies are protocol messages answered with an ack; text and
 * binary frames are echoed to their sender only when `SWITCHBOARD_ECHO_RAW_FRAMES` is on.
 */
export async function handleMessage(event: UserEvent, deps: EventDeps): Promise<EventResponse> {
  const { request } = event;
  const { context } = request;
  const { config, limiter } = deps;
  const allowed = limiter.take(`${context.hub.toLowerCase()}\n${context.connectionId}`);

  if (request.dataType !== "json") return await rawFrame(request, event, allowed, deps);

  const parsed =
    request.data === INVALID_JSON
      ? ({ ok: false, code: "bad_message", reason: "the body is not valid JSON" } as const)
      : parseClientMessage(request.data);
  const id = parsed.ok ? parsed.message.id : parsed.id;
  if (!allowed) return ack(id, error("rate_limited", "too many messages; slow down"));
  if (event.size > config.messages.maxBytes) {
    return ack(id, error("too_large", `messages are limited to ${config.messages.maxBytes} bytes`));
  }
  if (!parsed.ok) return ack(id, error(parsed.code, parsed.reason));
  try {
    return ack(
      id,
      await withinDeadline(
        config.deadlines.eventMs,
        async (signal) => await routeMessage(parsed.message, event, withEventSignal(deps, signal)),
      ),
    );
  } catch (thrown) {
    if (thrown instanceof ServiceRefusal) {
      // What the sender asked for: a name the service does not take, a connection it lost.
      deps.log.info("the service refused the request", { status: thrown.status });
      return ack(id, error(thrown.code, thrown.message));
    }
    if (!(thrown instanceof DependencyError)) throw thrown;
    deps.log.error(
      "message failed: a dependency failed",
      { dependency: thrown.dependency, status: thrown.status, reason: thrown.reason },
      thrown,
    );
    return ack(id, {
      ok: false,
      error: {
        code: "unavailable",
        message: `${thrown.message}; try again with the same id`,
        ...(thrown.retryAfterMs === undefined ? {} : { retryAfterMs: thrown.retryAfterMs }),
      },
    });
  }
}

/** A text or binary frame: echoed when configured, else an error in the client's own terms. */
async function rawFrame(
  request: Exclude<UserEventRequest, { dataType: "json" }>,
  event: UserEvent,
  allowed: boolean,
  deps: EventDeps,
): Promise<EventResponse> {
  const { config, store, log } = deps;
  if (!config.messages.echoRawFrames) {
    const reason =
      `this app takes JSON protocol messages (dataType "json"); ` +
      `text and binary frames are not accepted (${S.echoRawFrames} is off)`;
    if (isJsonSubprotocol(request.context.subprotocol))
      return ack(undefined, error("bad_message", reason));
    throw new HttpError(400, reason);
  }
  if (!allowed) throw new HttpError(429, "too many messages from this connection");
  if (event.size > config.messages.maxBytes) {
    throw new HttpError(413, `messages are limited to ${config.messages.maxBytes} bytes`);
  }
  const sender = await withinDeadline(
    config.deadlines.eventMs,
    async (signal) => await identifySender(request.context, store.withSignal(signal), log),
  );
  if (!sender.ok) throw new HttpError(403, sender.reason);
  if (request.dataType === "text") {
    return textResponse(200, request.data);
  }
  return {
    status: 200,
    headers: { "Content-Type": "application/octet-stream" },
    body: new Uint8Array(request.data),
  };
}

function error(code: AckErrorCode, message: string): Outcome {
  return { ok: false, error: { code, message } };
}

function ack(id: MessageId | undefined, outcome: Outcome): EventResponse {
  const body: Ack = { type: "ack", ...(id === undefined ? {} : { id }), ...outcome };
  return jsonResponse(200, body);
}
