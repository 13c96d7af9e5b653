import { spawnSync } from "node:child_process";
import path from "node:path";

export type BenchPart = "events" | "fanout" | "coldstart";

export interface BenchOptions {
  readonly rounds: number;
  readonly events: number;
  readonly warmupEvents: number;
  readonly concurrency: number;
  /** Keep both cores from idling during the event work (see infra/idleSpinners.ts). */
  readonly idleSpin: boolean;
  /** `BENCH_PROFILE`: a folder for a CPU profile of each implementation's server process. */
  readonly profileDir?: string;
  readonly compareWith?: { readonly root: string; readonly label: string };
  readonly parts: ReadonlySet<BenchPart>;
  readonly updateReadme: boolean;
}

/**
 * The run's settings: `BENCH_ROUNDS` (default 7), `BENCH_EVENTS` per event type and round
 * (200), `BENCH_WARMUP` events per type before the rounds (50), `BENCH_CONCURRENCY` requests
 * in flight (1), `BENCH_IDLE_SPIN=0` to let the cores idle, `BENCH_PROFILE` a folder for CPU profiles of
 * the servers, `BENCH_COMPARE_WITH` another built checkout, `BENCH_PARTS` a comma list of
 * events, fanout, coldstart (all); `--update-readme` rewrites bench/README.md's tables.
 */
export function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const unknown = argv.filter((arg) => arg !== "--update-readme");
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(" ")}`);
  const count = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    const value = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${name} must be a whole number of at least ${min}`);
    }
    return value;
  };
  const parts = new Set<BenchPart>();
  for (const part of (env.BENCH_PARTS ?? "events,fanout,coldstart").split(",")) {
    const name = part.trim();
    if (name !== "events" && name !== "fanout" && name !== "coldstart") {
      throw new Error(`BENCH_PARTS: unknown part '${name}' (events, fanout, coldstart)`);
    }
    parts.add(name);
  }
  const compareRoot = env.BENCH_COMPARE_WITH;
  return {
    rounds: count("BENCH_ROUNDS", 7, 1),
    events: count("BENCH_EVENTS", 200, 1),
    warmupEvents: count("BENCH_WARMUP", 50, 1),
    concurrency: count("BENCH_CONCURRENCY", 1, 1),
    idleSpin: env.BENCH_IDLE_SPIN !== "0",
    ...(env.BENCH_PROFILE === undefined || env.BENCH_PROFILE === ""
      ? {}
      : { profileDir: path.resolve(env.BENCH_PROFILE) }),
    ...(compareRoot === undefined || compareRoot === ""
      ? {}
      : {
          compareWith: {
            root: path.resolve(compareRoot),
            label: checkoutLabel(path.resolve(compareRoot)),
          },
        }),
    parts,
    updateReadme: argv.includes("--update-readme"),
  };
}

/** The checkout's commit (its folder's name where git cannot tell). */
function checkoutLabel(root: string): string {
  const head = spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return head.status === 0 ? head.stdout.trim() : path.basename(root);
}
