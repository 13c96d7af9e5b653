import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startAzurite } from "../dev/startAzurite.js";
import { BENCH_KEY } from "./benchSettings.js";
import { coldStart, coldStartInstructions } from "./coldStart.js";
import { coldStartTables } from "./coldStartReport.js";
import { eventBench, type EventBenchResult } from "./events/eventBench.js";
import { eventTables } from "./events/eventReport.js";
import { groupFanout, fanoutTable } from "./groupFanout.js";
import { startIdleSpinners } from "./infra/idleSpinners.js";
import { startRestStandIn } from "./infra/restStandIn.js";
import { startTableCounter } from "./infra/tableCounter.js";
import { readOptions } from "./options.js";
import { updateReadme, writeResults } from "./writeResults.js";

const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench");
const options = readOptions(process.argv.slice(2), process.env);

/**
 * `npm run bench`: the event work of every implementation (CPU per event, counted table and
 * REST calls, latency), the group fan-out through the emulator, and the cold start, from one
 * run on this machine. Prints the tables and writes bench/results/latest.json; with
 * `--update-readme` also rewrites the committed tables in bench/README.md.
 */
// This process (the requests, the stand-ins) and Azurite stay on core 1; servers run on core 0.
spawnSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
const started = Date.now();
const azurite = await startAzurite();
const tables = await startTableCounter(azurite);
const rest = await startRestStandIn(BENCH_KEY);
process.env.BENCH_STORAGE = azurite.connectionString;
process.env.BENCH_REST_ENDPOINT = rest.endpoint;
const sections: string[] = [];
const results: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  commit: commitOf(path.resolve(sourceDir, "..")),
  ...(options.compareWith === undefined ? {} : { comparedWith: options.compareWith.label }),
};
try {
  if (options.parts.has("events")) {
    console.log(
      `event work: ${options.rounds} rounds of ${options.events} events per event type and implementation (${options.warmupEvents} to warm up), servers on core 0`,
    );
    const spinners = options.idleSpin ? startIdleSpinners([0, 1]) : undefined;
    if (options.idleSpin && spinners === undefined)
      console.log("  (chrt not found: cores may idle)");
    let events: EventBenchResult;
    try {
      events = await eventBench(options, { tables, rest });
    } finally {
      await spinners?.stop();
    }
    results.events = events;
    sections.push(eventTables(events));
  }
  if (options.parts.has("fanout")) {
    console.log("group fan-out through the app and the emulator");
    const fanout = await groupFanout([100, 1000], azurite.connectionString);
    results.fanout = fanout;
    sections.push(fanoutTable(fanout));
  }
  if (options.parts.has("coldstart")) {
    console.log("cold start: fresh processes, 15 runs each");
    const cold = coldStart(15);
    console.log("cold start: instructions under valgrind (where installed)");
    const instructions = coldStartInstructions();
    results.coldStart = cold;
    results.coldStartInstructions = instructions;
    sections.push(coldStartTables(cold, instructions));
  }
} finally {
  await rest.close();
  await tables.close();
  await azurite.stop();
}

const printed = sections.join("\n\n");
console.log(`\n${printed}\n`);
const file = await writeResults(sourceDir, results);
console.log(
  `written to ${path.relative(process.cwd(), file)} in ${Math.round((Date.now() - started) / 1000)} s`,
);
if (options.updateReadme) {
  if (options.parts.size < 3) throw new Error("--update-readme needs a full run (every part)");
  await updateReadme(
    sourceDir,
    `Measured ${String(results.measuredAt)} at commit ${String(results.commit)}${options.compareWith === undefined ? "" : `, compared with ${options.compareWith.label}`}.\n\n${printed}`,
  );
  console.log("bench/README.md updated");
}

function commitOf(root: string): string {
  const head = spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return head.status === 0 ? head.stdout.trim() : "unknown";
}
