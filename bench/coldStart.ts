import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ColdStartResult {
  readonly nodeMs: number;
  readonly dependenciesMs: number;
  readonly appMs: number;
  /** (app − node) / (dependencies − node) − 1: what the app's own modules add. */
  readonly appOverDependencies: number;
}

/** Median wall time of fresh processes, interleaved so noise hits every variant alike. */
export function coldStart(runs: number): ColdStartResult {
  const variants = {
    node: ["-e", "0"],
    dependencies: [path.join(here, "coldStart/importDependencies.js")],
    app: [path.join(here, "coldStart/importApp.js")],
  };
  const times: Record<keyof typeof variants, number[]> = { node: [], dependencies: [], app: [] };
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
    appOverDependencies: (appMs - nodeMs) / (dependenciesMs - nodeMs) - 1,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
