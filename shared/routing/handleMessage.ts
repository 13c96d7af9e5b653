import type { UserEventRequest } from "@azure/web-pubsub-express";
import { HttpError } from "../errors/httpError.js";
import { statusOf } from "../errors/statusOf.js";
import { jsonResponse, type EventResponse } from "../protocol/eventResponse.js";
import { INVALID_JSON, type WebPubSubEvent } from "../protocol/webPubSubEvent.js";
import type { EventDeps } from "../events/eventDeps.js";
import { parseClientMessage, type ClientMessage } from "./clientMessage.js";
import type { Ack, AckErrorCode, Envelope, MessageId } from "./messageTypes.js";
import { serverMessageId } from "./serverMessageId.js";

const MEMBERS_LIMIT = 1000;

type UserEvent = Extract<WebPubSubEvent, { kind: "user" }>;

/**
 * The `message` user event. JSON bodies are protocol messages answered with an ack; text and
 * binary frames from plain WebSocket clients are echoed back to the sender.
 */
export async function handleMessage(event: UserEvent, deps: EventDeps): Promise<EventResponse> {
  const { request } = event;
  const { context } = request;
  const { config, limiter } = deps;
  const allowed = limiter.take(`${context.hub}\n${context.connectionId}`);

  if (request.dataType !== "json") {
    if (!allowed) throw new HttpError(429, "too many messages from this connection");
    if (event.size > config.messages.maxBytes) {
      throw new HttpError(413, `messages are limited to ${config.messages.maxBytes} bytes`);
    }
    return echo(request);
  }

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
    return ack(id, await route(parsed.message, event, deps));
  } catch (thrown) {
    // The service refusing a call (4xx) is an answer for the sender; anything else is a failure.
    const status = statusOf(thrown);
    if (status === undefined || status < 400 || status >= 500) throw thrown;
    deps.log.warn("the service refused a call", { status });
    return ack(
      id,
      error(
        status === 403 ? "forbidden" : status === 404 ? "gone" : "bad_message",
        `the service refused the request (${status})`,
      ),
    );
  }
}

type Outcome =
  | { ok: true; messageId?: string; members?: readonly string[] }
  | { ok: false; error: { code: AckErrorCode; message: string } };

async function route(message: ClientMessage, event: UserEvent, deps: EventDeps): Promise<Outcome> {
  const { hub, connectionId, userId } = event.request.context;
  const { store, service, config, log } = deps;
  if (userId === undefined) return error("forbidden", "this connection has no user id");

  switch (message.type) {
    case "join": {
      if (!(await service.addToGroup(message.group, connectionId))) {
        return error("gone", "this connection is no longer connected");
      }
      if (!(await store.addMembership(hub, connectionId, userId, message.group))) {
        await service.removeFromGroup(message.group, connectionId);
        return error("gone", "this connection is no longer connected");
      }
      return { ok: true };
    }
    case "leave":
      await service.removeFromGroup(message.group, connectionId);
      await store.removeMembership(hub, connectionId, message.group);
      return { ok: true };
    case "members": {
      if (
        config.messages.sendRequiresMembership &&
        !(await store.isMember(hub, message.group, connectionId))
      ) {
        return error("forbidden", "join the group to see its members");
      }
      const members = await store.listGroupMembers(hub, message.group, MEMBERS_LIMIT);
      return { ok: true, members: [...new Set(members.map((member) => member.userId))] };
    }
    case "send": {
      const envelope: Envelope = {
        type: "message",
        id: serverMessageId(event.source, event.id),
        from: userId,
        ...(message.group === undefined ? { user: message.user } : { group: message.group }),
        data: message.data,
        at: new Date().toISOString(),
      };
      if (message.group !== undefined) {
        if (
          config.messages.sendRequiresMembership &&
          !(await store.isMember(hub, message.group, connectionId))
        ) {
          return error("forbidden", "join the group before sending to it");
        }
        await service.sendToGroup(message.group, envelope);
      } else if (message.user !== undefined) {
        await service.sendToUser(message.user, envelope);
      }
      log.info("message routed", {
        connectionId,
        messageId: envelope.id,
        to: message.group === undefined ? "user" : "group",
      });
      return { ok: true, messageId: envelope.id };
    }
  }
}

function echo(request: Exclude<UserEventRequest, { dataType: "json" }>): EventResponse {
  if (request.dataType === "text") {
    return {
      status: 200,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: request.data,
    };
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
