import { Agent } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  REST_KINDS,
  restDelta,
  type RestCounts,
  type RestKind,
  type RestStandIn,
} from "../infra/restStandIn.js";
import { tableDelta, type TableCounter, type TableCounts } from "../infra/tableCounter.js";
import { percentile } from "../stats.js";
import { drive } from "./driver.js";
import { ImplementationProcess } from "./implementationProcess.js";
import { EXPECTED_REST, PHASES, type FloorShape, type FloorShapes, type Phase } from "./phases.js";
import { cohort, phaseRequests, wrongAnswer, type Cohort } from "./workload.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_CORE = 0;

export interface EventBenchOptions {
  readonly rounds: number;
  readonly events: number;
  readonly warmupEvents: number;
  readonly concurrency: number;
  /** A folder for a CPU profile of each implementation's process (`--cpu-prof`), if any. */
  readonly profileDir?: string;
  /** Root of another built checkout whose Switchboard runs beside this one. */
  readonly compareWith?: { readonly root: string; readonly label: string };
}

/** What the runner started for every implementation to use. */
export interface EventBenchInfra {
  readonly tables: TableCounter;
  readonly rest: RestStandIn;
}

/** One implementation's figures for one phase in one round. */
export interface PhaseRound {
  readonly events: number;
  readonly cpuUsPerEvent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Table round trips of the whole phase, by kind (divide by `events` for one event's). */
  readonly table: TableCounts;
  /** REST calls of the whole phase, by kind. */
  readonly rest: RestCounts;
}

export interface ImplementationInfo {
  readonly key: string;
  readonly label: string;
}

export interface EventBenchResult {
  readonly implementations: readonly ImplementationInfo[];
  readonly options: Omit<EventBenchOptions, "compareWith" | "profileDir">;
  readonly floorShapes: FloorShapes;
  /** rounds[implementation key][phase]: one entry per round. */
  readonly rounds: Readonly<Record<string, Readonly<Record<Phase, readonly PhaseRound[]>>>>;
}

interface Implementation extends ImplementationInfo {
  readonly process: ImplementationProcess;
  readonly agent: Agent;
  port: number;
}

/**
 * Every phase of every implementation, in interleaved rounds: within a round each phase runs
 * for every implementation in turn (in reverse order every other round), each implementation
 * on its own fresh connections, so drifts in the machine hit every implementation alike. A
 * phase is measured as the CPU time of the implementation's process (pinned to its own core)
 * over a fixed number of events, its table round trips and REST calls as counted by the
 * stand-ins, and each answer's latency. Any wrong answer or refused call stops the run.
 */
export async function eventBench(
  options: EventBenchOptions,
  infra: EventBenchInfra,
): Promise<EventBenchResult> {
  const env = (table: string): NodeJS.ProcessEnv => ({
    ...process.env,
    BENCH_STORAGE: infra.tables.connectionString,
    BENCH_REST_ENDPOINT: infra.rest.endpoint,
    BENCH_TABLE: table,
  });
  const switchboardScript = path.join(here, "../servers/switchboard.js");
  const thisRoot = path.resolve(here, "../../..");
  const specs: { key: string; label: string; script: string; args: string[]; table: string }[] = [
    {
      key: "switchboard",
      label: "Switchboard",
      script: switchboardScript,
      args: [thisRoot],
      table: "BenchSwitchboard",
    },
    ...(options.compareWith === undefined
      ? []
      : [
          {
            key: "compared",
            label: `Switchboard (${options.compareWith.label})`,
            script: switchboardScript,
            args: [options.compareWith.root],
            table: "BenchCompared",
          },
        ]),
    {
      key: "express",
      label: "@azure/web-pubsub-express",
      script: path.join(here, "../servers/express.js"),
      args: [],
      table: "BenchExpress",
    },
    {
      key: "floor",
      label: "floor (node:http, raw REST)",
      script: path.join(here, "../servers/floor.js"),
      args: [],
      table: "BenchFloor",
    },
  ];
  const implementations: Implementation[] = specs.map((spec) => ({
    key: spec.key,
    label: spec.label,
    process: new ImplementationProcess(
      spec.label,
      spec.script,
      spec.args,
      env(spec.table),
      SERVER_CORE,
      options.profileDir === undefined
        ? []
        : [
            "--cpu-prof",
            `--cpu-prof-dir=${options.profileDir}`,
            `--cpu-prof-name=${spec.key}.cpuprofile`,
          ],
    ),
    agent: new Agent({ keepAlive: true, maxSockets: options.concurrency }),
    port: 0,
  }));
  try {
    for (const implementation of implementations) {
      implementation.port = await implementation.process.ready;
    }
    const rounds: Record<string, Record<Phase, PhaseRound[]>> = {};
    for (const { key } of implementations) {
      rounds[key] = Object.fromEntries(PHASES.map((phase) => [phase, []])) as unknown as Record<
        Phase,
        PhaseRound[]
      >;
    }

    // Warm-up: every phase once, unrecorded. Switchboard's counted calls shape the floor.
    const [switchboard] = implementations;
    if (switchboard === undefined) throw new Error("no implementations");
    const floorShapes = await warmUp(switchboard, options, infra, undefined);
    for (const implementation of implementations.slice(1)) {
      await warmUp(implementation, options, infra, floorShapes);
    }

    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? implementations : [...implementations].reverse();
      const cohorts = new Map(
        order.map((implementation) => [
          implementation.key,
          {
            live: cohort(`${implementation.key}-r${round}-a`, options.events),
            leaving: cohort(`${implementation.key}-r${round}-b`, options.events),
          },
        ]),
      );
      for (const phase of PHASES) {
        for (const implementation of order) {
          const groups = cohorts.get(implementation.key);
          if (groups === undefined) continue;
          if (phase === "leave") await prepare(implementation, groups.leaving, options, infra);
          const measured = await measure(
            implementation,
            phase,
            phase === "leave" ? groups.leaving : groups.live,
            options,
            infra,
          );
          rounds[implementation.key]?.[phase].push(measured);
        }
      }
      console.log(`  round ${round + 1} of ${options.rounds} done`);
    }
    return {
      implementations: implementations.map(({ key, label }) => ({ key, label })),
      options: {
        rounds: options.rounds,
        events: options.events,
        warmupEvents: options.warmupEvents,
        concurrency: options.concurrency,
      },
      floorShapes,
      rounds,
    };
  } finally {
    for (const implementation of implementations) {
      implementation.agent.destroy();
      await implementation.process.stop();
    }
  }
}

/**
 * Runs every phase once on a cohort of its own, then (for the implementation whose counts
 * shape the floor) returns the shape of each phase: its calls per event, rounded. The floor
 * gets the shapes before its own warm-up.
 */
async function warmUp(
  implementation: Implementation,
  options: EventBenchOptions,
  infra: EventBenchInfra,
  shapes: FloorShapes | undefined,
): Promise<FloorShapes> {
  if (implementation.key === "floor") {
    if (shapes === undefined) throw new Error("the floor needs Switchboard's shapes");
    await implementation.process.configure(shapes);
  }
  const size = options.warmupEvents;
  const live = cohort(`${implementation.key}-warm-a`, size);
  const leaving = cohort(`${implementation.key}-warm-b`, size);
  const counted: Partial<Record<Phase, FloorShape>> = {};
  for (const phase of PHASES) {
    if (phase === "leave") await prepare(implementation, leaving, options, infra);
    const measured = await measure(
      implementation,
      phase,
      phase === "leave" ? leaving : live,
      options,
      infra,
    );
    counted[phase] = shapeOf(measured);
  }
  return counted;
}

/** The connections a `leave` phase needs: connected and joined, unmeasured. */
async function prepare(
  implementation: Implementation,
  connections: Cohort,
  options: EventBenchOptions,
  infra: EventBenchInfra,
): Promise<void> {
  for (const phase of ["connect", "join"] as const) {
    await measure(implementation, phase, connections, options, infra);
  }
}

async function measure(
  implementation: Implementation,
  phase: Phase,
  connections: Cohort,
  options: EventBenchOptions,
  infra: EventBenchInfra,
): Promise<PhaseRound> {
  const requests = phaseRequests(phase, connections);
  const tablesBefore = infra.tables.snapshot();
  const restBefore = infra.rest.snapshot();
  const cpuBefore = await implementation.process.cpuMicros();
  const { answers, latenciesMs } = await drive(
    implementation.port,
    implementation.agent,
    requests,
    options.concurrency,
  );
  const cpuAfter = await implementation.process.cpuMicros();
  const table = tableDelta(tablesBefore, infra.tables.snapshot());
  const rest = restDelta(restBefore, infra.rest.snapshot());

  const wrong = answers
    .map((answer) => wrongAnswer(phase, answer))
    .filter((problem) => problem !== undefined);
  if (wrong.length > 0) {
    throw new Error(
      `${implementation.label}, ${phase}: ${wrong.length} of ${answers.length} answers were wrong, e.g. ${wrong[0]}`,
    );
  }
  if (rest.refused > 0) {
    throw new Error(`${implementation.label}, ${phase}: ${rest.refused} REST calls were refused`);
  }
  const expected = EXPECTED_REST[phase];
  if (expected !== undefined && rest[expected] !== requests.length) {
    throw new Error(
      `${implementation.label}, ${phase}: the REST stand-in received ${rest[expected]} ${expected} calls for ${requests.length} events`,
    );
  }
  return {
    events: requests.length,
    cpuUsPerEvent: (cpuAfter - cpuBefore) / requests.length,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    table,
    rest,
  };
}

/** The calls of one event of a measured phase, rounded: a floor shape. */
function shapeOf(measured: PhaseRound): FloorShape {
  const per = (count: number) => Math.round(count / measured.events);
  const { byKind } = measured.table;
  const rest: RestKind[] = [];
  for (const kind of REST_KINDS) {
    for (let i = 0; i < per(measured.rest[kind]); i++) rest.push(kind);
  }
  return {
    reads: per(byKind.read),
    queries: per(byKind.query),
    writes: per(byKind.insert + byKind.replace + byKind.merge + byKind.delete + byKind.batch),
    rest,
  };
}
