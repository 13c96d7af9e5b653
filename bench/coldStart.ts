import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface InstructionCounts {
  readonly node: number;
  readonly dependencies: number;
  readonly app: number;
  /** The same ratio as appOverDependencies, from instruction counts (noise-free). */
  readonly appOverDependencies: number;
}

export interface ColdStartResult {
  readonly nodeMs: number;
  readonly dependenciesMs: number;
  readonly appMs: number;
  /** A fresh process until its first signed event is answered (informational). */
  readonly firstEventMs: number;
  /** (app − node) / (dependencies − node) − 1: what the app's own modules add. */
  readonly appOverDependencies: number;
}

/** Median wall time of fresh processes, interleaved so noise hits every variant alike. */
export function coldStart(runs: number): ColdStartResult {
  const variants = coldStartVariants();
  const times: Record<keyof typeof variants, number[]> = {
    node: [],
    dependencies: [],
    app: [],
    firstEvent: [],
  };
  for (let i = 0; i < runs + 1; i++) {
    for (const [name, args] of Object.entries(variants) as [keyof typeof variants, string[]][]) {
      const started = process.hrtime.bigint();
      const result = spawnSync("taskset", ["-c", "0", process.execPath, ...args], {
        stdio: "ignore",
      });
      if (result.status !== 0) throw new Error(`${name} exited with ${result.status}`);
      if (i > 0) times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const nodeMs = median(times.node);
  const dependenciesMs = median(times.dependencies);
  const appMs = median(times.app);
  return {
    nodeMs,
    dependenciesMs,
    appMs,
    firstEventMs: median(times.firstEvent),
    appOverDependencies: (appMs - nodeMs) / (dependenciesMs - nodeMs) - 1,
  };
}

const coldStartVariants = () => ({
  node: ["-e", "0"],
  dependencies: [path.join(here, "coldStart/importDependencies.js")],
  app: [path.join(here, "coldStart/importApp.js")],
  firstEvent: [path.join(here, "coldStart/firstEvent.js")],
});

/**
 * Instructions executed by each variant under valgrind's callgrind, which counts the same
 * whatever else the machine does; undefined where valgrind is not installed.
 */
export function coldStartInstructions(): InstructionCounts | undefined {
  if (spawnSync("valgrind", ["--version"], { stdio: "ignore" }).status !== 0) return undefined;
  const count = (args: string[]) => {
    const run = spawnSync(
      "valgrind",
      ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...args],
      {
        encoding: "utf8",
      },
    );
    const match = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
    if (!match?.[1])
      throw new Error(`callgrind printed no instruction count: ${run.stderr.slice(-300)}`);
    return Number(match[1].replace(/,/g, ""));
  };
  const variants = coldStartVariants();
  const node = count(variants.node);
  const dependencies = count(variants.dependencies);
  const app = count(variants.app);
  return { node, dependencies, app, appOverDependencies: (app - node) / (dependencies - node) - 1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
