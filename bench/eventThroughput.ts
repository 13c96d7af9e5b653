import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "./loadGenerator.js";
import { firstJsonLine, spawnPinned, stop } from "./processes.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_CORE = 0;
const LOAD_CORE = 1;

export interface ThroughputRow extends LoadResult {
  readonly server: string;
  /** Requests per second of every round, the median of which is `requestsPerSecond`. */
  readonly rounds: readonly number[];
}

interface Variant {
  readonly name: string;
  readonly script: string;
  /** `same`: one connection id (its signature remembered); `new`: a new connection per event. */
  readonly connections: "same" | "new";
}

const VARIANTS: readonly Variant[] = [
  { name: "bare Node server (204)", script: "servers/bareServer.js", connections: "same" },
  { name: "@azure/web-pubsub-express", script: "servers/expressHandler.js", connections: "same" },
  {
    name: "Switchboard, events of known connections",
    script: "servers/localHost.js",
    connections: "same",
  },
  {
    name: "Switchboard, each event from a new connection",
    script: "servers/localHost.js",
    connections: "new",
  },
];

/**
 * Signed `message` events per second, p50 and p99, for each variant: the server on its own
 * core and the same load generator on the other. Rounds interleave the variants, so drifts in
 * the machine's speed hit each alike; each figure is the median round. A run with any error or
 * non-2xx answer is refused rather than counted.
 */
export async function eventThroughput(seconds: number, rounds: number): Promise<ThroughputRow[]> {
  const results = VARIANTS.map(() => [] as LoadResult[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, variant] of VARIANTS.entries())
      results[i]?.push(await measure(variant, seconds));
  }
  return VARIANTS.map((variant, i) => {
    const runs = [...(results[i] ?? [])].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const middle = runs[Math.floor(runs.length / 2)];
    if (!middle) throw new Error(`no runs for ${variant.name}`);
    return { server: variant.name, ...middle, rounds: runs.map((run) => run.requestsPerSecond) };
  });
}

async function measure(variant: Variant, seconds: number): Promise<LoadResult> {
  const child = spawnPinned(SERVER_CORE, path.join(here, variant.script));
  try {
    const { port } = await firstJsonLine<{ port: number }>(child);
    const url = `http://127.0.0.1:${port}/api/events/message`;
    await load(url, 1, variant.connections);
    const result = await load(url, seconds, variant.connections);
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(
        `${variant.name}: ${result.errors} errors and ${result.non2xx} non-2xx answers`,
      );
    }
    return result;
  } finally {
    await stop(child);
  }
}

async function load(
  url: string,
  seconds: number,
  connections: Variant["connections"],
): Promise<LoadResult> {
  const args = [url, String(seconds), "16", connections];
  return await firstJsonLine<LoadResult>(
    spawnPinned(LOAD_CORE, path.join(here, "loadGenerator.js"), args),
  );
}
