import { REST_KINDS, totalCalls } from "../infra/restStandIn.js";
import { TABLE_OP_KINDS, totalOps } from "../infra/tableCounter.js";
import { median, spread } from "../stats.js";
import type { EventBenchResult, PhaseRound } from "./eventBench.js";
import { NEEDED, PHASE_LABELS, PHASES, type Phase } from "./phases.js";

/** Targets of issue 9, medians of one run. */
export const TARGETS = {
  /** Switchboard's CPU per event over the floor's of the same shape. */
  overFloor: 2,
  overFloorSendToGroup: 1.5,
  /** The express reference's CPU per event over Switchboard's. */
  expressOverSwitchboard: 1.5,
  /** Table round trips beyond what the semantics need. */
  extraTableRoundTrips: 1,
} as const;

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ratio = (value: number) => `${fmt(value, 2)}×`;

/** Per-event count of a phase over all its rounds, as a short number. */
function perEvent(count: number, events: number): string {
  const value = count / events;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function sum(rounds: readonly PhaseRound[], pick: (round: PhaseRound) => number): number {
  return rounds.reduce((total, round) => total + pick(round), 0);
}

function tableCell(rounds: readonly PhaseRound[]): string {
  const events = sum(rounds, (round) => round.events);
  const total = sum(rounds, (round) => totalOps(round.table));
  const kinds = TABLE_OP_KINDS.map((kind) => {
    const count = sum(rounds, (round) => round.table.byKind[kind]);
    return count === 0 ? undefined : `${perEvent(count, events)} ${kind}`;
  }).filter((part) => part !== undefined);
  const refused = sum(rounds, (round) =>
    TABLE_OP_KINDS.reduce((n, kind) => n + round.table.refusedByKind[kind], 0),
  );
  const note = refused === 0 ? "" : `; ${perEvent(refused, events)} answered 404/409`;
  return total === 0 ? "0" : `${perEvent(total, events)} (${kinds.join(", ")}${note})`;
}

function restCell(rounds: readonly PhaseRound[]): string {
  const events = sum(rounds, (round) => round.events);
  const total = sum(rounds, (round) => totalCalls(round.rest));
  const kinds = REST_KINDS.map((kind) => {
    const count = sum(rounds, (round) => round.rest[kind]);
    return count === 0 ? undefined : `${perEvent(count, events)} ${kind}`;
  }).filter((part) => part !== undefined);
  return total === 0 ? "0" : `${perEvent(total, events)} (${kinds.join(", ")})`;
}

function cpu(result: EventBenchResult, key: string, phase: Phase): number {
  return median((result.rounds[key]?.[phase] ?? []).map((round) => round.cpuUsPerEvent));
}

function tableRoundTrips(rounds: readonly PhaseRound[]): number {
  const events = sum(rounds, (round) => round.events);
  return sum(rounds, (round) => totalOps(round.table)) / events;
}

/** The event tables: every implementation's figures per phase, then the targets. */
export function eventTables(result: EventBenchResult): string {
  const { options } = result;
  const lines = [
    `| event (${options.events} per round, ${options.rounds} interleaved rounds, ${options.concurrency} at a time) | implementation | CPU µs per event (median) | rounds min–max | × floor | × Switchboard | table round trips per event | REST calls per event | p50 ms | p99 ms |`,
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const phase of PHASES) {
    const floor = cpu(result, "floor", phase);
    const switchboard = cpu(result, "switchboard", phase);
    for (const { key, label } of result.implementations) {
      const rounds = result.rounds[key]?.[phase] ?? [];
      const cpuSpread = spread(rounds.map((round) => round.cpuUsPerEvent));
      lines.push(
        `| ${PHASE_LABELS[phase]} | ${label} | ${fmt(cpuSpread.median)} | ${fmt(cpuSpread.min)}–${fmt(cpuSpread.max)} | ${ratio(cpuSpread.median / floor)} | ${ratio(cpuSpread.median / switchboard)} | ${tableCell(rounds)} | ${restCell(rounds)} | ${fmt(median(rounds.map((round) => round.p50Ms)), 2)} | ${fmt(median(rounds.map((round) => round.p99Ms)), 2)} |`,
      );
    }
  }
  lines.push(
    "",
    `| event | Switchboard ÷ floor (target ≤ ${TARGETS.overFloor}×, send to group ≤ ${TARGETS.overFloorSendToGroup}×) | express ÷ Switchboard (target ≥ ${TARGETS.expressOverSwitchboard}×) | table round trips needed / made (target: at most ${TARGETS.extraTableRoundTrips} more) | REST calls needed / made | targets met |`,
    "|---|---|---|---|---|---|",
  );
  for (const phase of PHASES) {
    const switchboard = cpu(result, "switchboard", phase);
    const overFloor = switchboard / cpu(result, "floor", phase);
    const expressOver = cpu(result, "express", phase) / switchboard;
    const rounds = result.rounds.switchboard?.[phase] ?? [];
    const made = tableRoundTrips(rounds);
    const events = sum(rounds, (round) => round.events);
    const rest = sum(rounds, (round) => totalCalls(round.rest)) / events;
    const needed = NEEDED[phase];
    const floorTarget = phase === "sendToGroup" ? TARGETS.overFloorSendToGroup : TARGETS.overFloor;
    const misses = [
      overFloor <= floorTarget ? undefined : "floor",
      expressOver >= TARGETS.expressOverSwitchboard ? undefined : "express",
      made <= needed.table + TARGETS.extraTableRoundTrips ? undefined : "round trips",
    ].filter((miss) => miss !== undefined);
    lines.push(
      `| ${PHASE_LABELS[phase]} | ${ratio(overFloor)} | ${ratio(expressOver)} | ${needed.table} / ${perEvent(made * events, events)} | ${needed.rest} / ${perEvent(rest * events, events)} | ${misses.length === 0 ? "yes" : `no (${misses.join(", ")})`} |`,
    );
  }
  return lines.join("\n");
}
