import type { RestKind } from "../infra/restStandIn.js";

/** The measured kinds of work: each service event (a user message by its protocol type) and negotiate. */
export const PHASES = [
  "connect",
  "connected",
  "join",
  "sendToGroup",
  "sendToUser",
  "leave",
  "disconnected",
  "negotiate",
] as const;

export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  connect: "connect",
  connected: "connected",
  join: "join (message)",
  sendToGroup: "send to group (message)",
  sendToUser: "send to user (message)",
  leave: "leave (message)",
  disconnected: "disconnected (1 group)",
  negotiate: "negotiate",
};

/** The REST call each phase's work must make once per event (checked), if any. */
export const EXPECTED_REST: Readonly<Record<Phase, RestKind | undefined>> = {
  connect: undefined,
  connected: undefined,
  join: "addToGroup",
  sendToGroup: "sendToGroup",
  sendToUser: "sendToUser",
  leave: "removeFromGroup",
  disconnected: undefined,
  negotiate: undefined,
};

/**
 * The floor's work for one phase: as many table reads, queries and writes, and the same REST
 * calls, as Switchboard was counted making for it.
 */
export interface FloorShape {
  readonly reads: number;
  readonly queries: number;
  readonly writes: number;
  readonly rest: readonly RestKind[];
}

export type FloorShapes = Readonly<Partial<Record<Phase, FloorShape>>>;

/** The phase of a `message` event, by the protocol message it carries. */
export function messagePhase(message: unknown): Phase | undefined {
  if (message === null || typeof message !== "object") return undefined;
  const { type, group } = message as { type?: unknown; group?: unknown };
  if (type === "join" || type === "leave") return type;
  if (type === "send") return group === undefined ? "sendToUser" : "sendToGroup";
  return undefined;
}

/**
 * Table round trips and REST calls each phase's semantics need (bench/README.md gives the
 * reasons), against which the counted calls are judged: at most one table round trip more.
 */
export const NEEDED: Readonly<Record<Phase, { readonly table: number; readonly rest: number }>> = {
  connect: { table: 1, rest: 0 },
  connected: { table: 0, rest: 0 },
  join: { table: 3, rest: 1 },
  sendToGroup: { table: 2, rest: 1 },
  sendToUser: { table: 2, rest: 1 },
  leave: { table: 3, rest: 1 },
  disconnected: { table: 4, rest: 0 },
  negotiate: { table: 0, rest: 0 },
};
