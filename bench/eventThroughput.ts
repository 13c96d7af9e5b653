import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "./loadGenerator.js";
import { firstJsonLine, spawnPinned, stop } from "./processes.js";
import {
  BENCH_GROUP,
  signedEventRequest,
  signedMessageRequest,
  type BenchMessage,
} from "./signedMessageRequest.js";

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
  readonly message: BenchMessage;
  /** Switchboard needs its connection (and membership) in the store before its events count. */
  readonly switchboard: boolean;
  /** Table Storage table of this server, so two builds never share rows. */
  readonly table?: string;
}

/**
 * The variants of one run. `compareWith` is the root of another built checkout (an earlier
 * commit): its Switchboard rows run beside this one's, interleaved in the same rounds.
 */
function variants(compareWith: string | undefined): Variant[] {
  const switchboard = (label: string, script: string, table: string): Variant[] => [
    {
      name: `Switchboard${label}, text echo`,
      script,
      message: "text",
      switchboard: true,
      table,
    },
    {
      name: `Switchboard${label}, JSON send to a group`,
      script,
      message: "groupSend",
      switchboard: true,
      table,
    },
  ];
  return [
    {
      name: "bare Node server (204)",
      script: path.join(here, "servers/bareServer.js"),
      message: "text",
      switchboard: false,
    },
    {
      name: "@azure/web-pubsub-express",
      script: path.join(here, "servers/expressHandler.js"),
      message: "text",
      switchboard: false,
    },
    ...switchboard("", path.join(here, "servers/localHost.js"), "BenchThis"),
    ...(compareWith === undefined
      ? []
      : switchboard(
          ` (${checkoutLabel(compareWith)})`,
          path.join(compareWith, "dist/bench/servers/localHost.js"),
          "BenchOther",
        )),
  ];
}

/**
 * Signed `message` events per second, p50 and p99, for each variant: the server on its own
 * core and the same load generator on the other. Rounds interleave the variants (in reverse
 * every other round), so drifts in the machine's speed and what ran just before hit each alike;
 * each figure is the median round. A run with any error or
 * non-2xx answer, or whose sample answer is not a success, is refused rather than counted.
 */
export async function eventThroughput(
  seconds: number,
  rounds: number,
  compareWith?: string,
): Promise<ThroughputRow[]> {
  const list = variants(compareWith);
  const results = list.map(() => [] as LoadResult[]);
  for (let round = 0; round < rounds; round++) {
    // Every other round runs the variants in reverse, so none always follows the same one.
    const order = [...list.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const variant = list[i];
      if (variant !== undefined) results[i]?.push(await measure(variant, seconds));
    }
  }
  return list.map((variant, i) => {
    const runs = [...(results[i] ?? [])].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const middle = runs[Math.floor(runs.length / 2)];
    if (!middle) throw new Error(`no runs for ${variant.name}`);
    return { server: variant.name, ...middle, rounds: runs.map((run) => run.requestsPerSecond) };
  });
}

/** The compared checkout's commit (its folder's name where git cannot tell). */
export function checkoutLabel(root: string): string {
  const head = spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return head.status === 0 ? head.stdout.trim() : path.basename(root);
}

async function measure(variant: Variant, seconds: number): Promise<LoadResult> {
  const child = spawnPinned(SERVER_CORE, variant.script, [], {
    ...process.env,
    ...(variant.table === undefined ? {} : { BENCH_TABLE: variant.table }),
  });
  try {
    const { port } = await firstJsonLine<{ port: number }>(child);
    const url = `http://127.0.0.1:${port}/api/events/message`;
    if (variant.switchboard) await seed(`http://127.0.0.1:${port}/api/events`, variant);
    await load(url, 1, variant.message);
    const result = await load(url, seconds, variant.message);
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

/**
 * Connects the bench connection and joins the bench group, as the service and the client would,
 * then checks that one message of the load is answered as a success (not a refusal ack).
 */
async function seed(eventsUrl: string, variant: Variant): Promise<void> {
  const post = async (
    event: "connect" | "connected" | "message",
    request: ReturnType<typeof signedMessageRequest>,
  ) => {
    const response = await fetch(`${eventsUrl}/${event}`, { method: "POST", ...request });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${variant.name}: ${event} answered ${response.status} ${text}`);
    return text;
  };
  await post("connect", signedEventRequest("connect", "{}", "application/json"));
  await post("connected", signedEventRequest("connected", "{}", "application/json"));
  const join = await post(
    "message",
    signedEventRequest(
      "message",
      JSON.stringify({ type: "join", group: BENCH_GROUP }),
      "application/json",
    ),
  );
  if (!join.includes('"ok":true')) throw new Error(`${variant.name}: join answered ${join}`);
  const sample = await post("message", signedMessageRequest(variant.message));
  const refused = variant.message === "text" ? sample !== "hello" : !sample.includes('"ok":true');
  if (refused) throw new Error(`${variant.name}: a message of the load answered ${sample}`);
}

async function load(url: string, seconds: number, message: BenchMessage): Promise<LoadResult> {
  const args = [url, String(seconds), "16", message];
  return await firstJsonLine<LoadResult>(
    spawnPinned(LOAD_CORE, path.join(here, "loadGenerator.js"), args),
  );
}
