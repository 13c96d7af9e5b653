import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository, from this module compiled to dist/bench/. */
const repository = path.resolve(here, "../..");

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
  /** The same, with the deployment package (`npm run package`: bundled, no node_modules). */
  readonly firstEventPackagedMs: number;
  /** (app − node) / (dependencies − node) − 1: what the app's own modules add. */
  readonly appOverDependencies: number;
}

/** Median wall time of fresh processes, interleaved so noise hits every variant alike. */
export function coldStart(runs: number): ColdStartResult {
  const packaged = mkdtempSync(path.join(tmpdir(), "switchboard-bench-package-"));
  const staged = spawnSync("bash", [path.join(repository, "deploy/package.sh"), packaged], {
    cwd: repository,
    stdio: "ignore",
  });
  if (staged.status !== 0) throw new Error(`npm run package exited with ${staged.status}`);
  const variants = coldStartVariants(packaged);
  const times: Record<keyof typeof variants, number[]> = {
    node: [],
    dependencies: [],
    app: [],
    firstEvent: [],
    firstEventPackaged: [],
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
  rmSync(packaged, { recursive: true, force: true });
  const nodeMs = median(times.node);
  const dependenciesMs = median(times.dependencies);
  const appMs = median(times.app);
  return {
    nodeMs,
    dependenciesMs,
    appMs,
    firstEventMs: median(times.firstEvent),
    firstEventPackagedMs: median(times.firstEventPackaged),
    appOverDependencies: (appMs - nodeMs) / (dependenciesMs - nodeMs) - 1,
  };
}

const coldStartVariants = (packaged: string) => ({
  node: ["-e", "0"],
  dependencies: [path.join(here, "coldStart/importDependencies.js")],
  app: [path.join(here, "coldStart/importApp.js")],
  firstEvent: [path.join(here, "coldStart/firstEvent.js")],
  firstEventPackaged: [path.join(here, "coldStart/firstEvent.js"), packaged],
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
  // The variants measured here never read the package.
  const variants = coldStartVariants("");
  const node = count(variants.node);
  const dependencies = count(variants.dependencies);
  const app = count(variants.app);
  return { node, dependencies, app, appOverDependencies: (app - node) / (dependencies - node) - 1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
