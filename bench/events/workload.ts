import { BENCH_GROUP } from "../benchSettings.js";
import type { Answer } from "./driver.js";
import type { Phase } from "./phases.js";
import { connectBody, negotiateRequest, signedEvent, type BenchRequest } from "./signedEvent.js";

/** The user every `send to user` addresses. */
export const TARGET_USER = "bench-target";

/** Connections of one implementation in one round, each with its own user. */
export interface Cohort {
  readonly connections: readonly { readonly connectionId: string; readonly userId: string }[];
}

export function cohort(prefix: string, size: number): Cohort {
  return {
    connections: Array.from({ length: size }, (_, i) => ({
      connectionId: `${prefix}-${i}`,
      userId: `user-${prefix}-${i}`,
    })),
  };
}

/**
 * Each event's `ce-id` in a connection's life, in the order the service numbers them: the
 * workload of a phase only ever follows the phases before it.
 */
const EVENT_IDS = {
  connect: 1,
  connected: 2,
  join: 3,
  sendToGroup: 4,
  sendToUser: 5,
  leave: 6,
  disconnected: 7,
} as const;

/** One request per connection of the cohort for `phase`, signed as the service signs them. */
export function phaseRequests(phase: Phase, connections: Cohort): BenchRequest[] {
  return connections.connections.map(({ connectionId, userId }) => {
    const event = (name: Parameters<typeof signedEvent>[0], id: number, body: string) =>
      signedEvent(name, connectionId, userId, String(id), body);
    const message = (id: number, body: object) =>
      event("message", id, JSON.stringify({ ...body, id }));
    switch (phase) {
      case "connect":
        return event("connect", EVENT_IDS.connect, connectBody(userId));
      case "connected":
        return event("connected", EVENT_IDS.connected, "{}");
      case "join":
        return message(EVENT_IDS.join, { type: "join", group: BENCH_GROUP });
      case "sendToGroup":
        return message(EVENT_IDS.sendToGroup, { type: "send", group: BENCH_GROUP, data: "hello" });
      case "sendToUser":
        return message(EVENT_IDS.sendToUser, { type: "send", user: TARGET_USER, data: "hello" });
      case "leave":
        return message(EVENT_IDS.leave, { type: "leave", group: BENCH_GROUP });
      case "disconnected":
        return event("disconnected", EVENT_IDS.disconnected, '{"reason":""}');
      case "negotiate":
        return negotiateRequest(userId);
    }
  });
}

/** Why an answer is not the success the phase expects; undefined when it is. */
export function wrongAnswer(phase: Phase, answer: Answer): string | undefined {
  const { status, body } = answer;
  switch (phase) {
    case "connect":
    case "connected":
    case "disconnected":
      return status === 200 || status === 204 ? undefined : `${status} ${body.slice(0, 200)}`;
    case "negotiate": {
      if (status !== 200) return `${status} ${body.slice(0, 200)}`;
      const { url } = parse(body);
      return typeof url === "string" && url.includes("access_token=") ? undefined : body;
    }
    case "join":
    case "leave":
    case "sendToGroup":
    case "sendToUser": {
      if (status !== 200) return `${status} ${body.slice(0, 200)}`;
      const ack = parse(body);
      const sends = phase === "sendToGroup" || phase === "sendToUser";
      const ok =
        ack.type === "ack" &&
        ack.ok === true &&
        ack.id === EVENT_IDS[phase] &&
        (!sends || typeof ack.messageId === "string");
      return ok ? undefined : body.slice(0, 300);
    }
  }
}

function parse(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
