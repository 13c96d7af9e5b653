import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { coldStart, coldStartInstructions } from "./coldStart.js";
import { checkoutLabel, eventThroughput } from "./eventThroughput.js";
import { groupFanout } from "./groupFanout.js";
import { startRestStub } from "./restStub.js";
import { writeResults } from "./writeResults.js";
import { startAzurite } from "../dev/startAzurite.js";

const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench");
const seconds = Number(process.env.BENCH_SECONDS ?? "5");
const rounds = Number(process.env.BENCH_ROUNDS ?? "3");
const compareWith = process.env.BENCH_COMPARE_WITH;

/** `npm run bench`: every figure from one run on this machine, as ratios against same-run baselines. */
// This process (load side, WebSocket clients) stays on core 1; servers are pinned to core 0.
spawnSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
// Table Storage and the REST stub serve the app under load from this side, started once.
const azurite = await startAzurite();
const rest = await startRestStub();
process.env.BENCH_STORAGE = azurite.connectionString;
process.env.BENCH_REST_ENDPOINT = rest.endpoint;
console.log(
  `event path: ${rounds} rounds of ${seconds} s per variant, server on core 0, load on core 1`,
);
const throughput = await eventThroughput(seconds, rounds, compareWith);
const [bare, express] = throughput;
if (!bare || !express) throw new Error("missing throughput rows");

console.log("group fan-out through the app and the emulator");
const fanout = await groupFanout([100, 1000]);

console.log("cold start: fresh processes, 15 runs each");
const cold = coldStart(15);
console.log("cold start: instructions under valgrind (where installed)");
const instructions = coldStartInstructions();
await rest.close();
await azurite.stop();

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const table = [
  "| event path (signed `message` events of one stored connection; median of rounds) | requests/s | rounds | p50 ms | p99 ms | vs express | vs bare server |",
  "|---|---|---|---|---|---|---|",
  ...throughput.map(
    (row) =>
      `| ${row.server} | ${fmt(row.requestsPerSecond)} | ${row.rounds.map((r) => fmt(r)).join(", ")} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${fmt(row.requestsPerSecond / express.requestsPerSecond, 2)}× | ${fmt(row.requestsPerSecond / bare.requestsPerSecond, 2)}× |`,
  ),
  "",
  "| group fan-out (one `send` through the app) | clients | all received after (median ms) | vs the smallest group | REST calls per message |",
  "|---|---|---|---|---|",
  ...fanout.map(
    (row) =>
      `| group of ${row.clients} | ${row.clients} | ${fmt(row.medianMs, 1)} | ${fmt(row.medianMs / (fanout[0]?.medianMs ?? row.medianMs), 2)}× | ${fmt(row.restCallsPerMessage, 1)} |`,
  ),
  "",
  "| cold start (median of 15 fresh processes) | ms | over `node -e 0` |",
  "|---|---|---|",
  `| \`node -e 0\` | ${fmt(cold.nodeMs, 1)} | – |`,
  `| the app's dependencies alone | ${fmt(cold.dependenciesMs, 1)} | ${fmt(cold.dependenciesMs - cold.nodeMs, 1)} ms |`,
  `| the function app started (entries imported, start hook run) | ${fmt(cold.appMs, 1)} | ${fmt(cold.appMs - cold.nodeMs, 1)} ms (the app's own modules add ${fmt(cold.appOverDependencies * 100, 1)}% to its dependencies) |`,
  `| a fresh process until its first signed event is answered | ${fmt(cold.firstEventMs, 1)} | ${fmt(cold.firstEventMs - cold.nodeMs, 1)} ms (what loading on first use moves to that request) |`,
  ...(instructions === undefined
    ? []
    : [
        "",
        "| cold start (instructions, valgrind callgrind) | millions | over `node -e 0` |",
        "|---|---|---|",
        `| \`node -e 0\` | ${fmt(instructions.node / 1e6)} | – |`,
        `| the app's dependencies alone | ${fmt(instructions.dependencies / 1e6)} | ${fmt((instructions.dependencies - instructions.node) / 1e6)} M |`,
        `| the function app started (entries imported, start hook run) | ${fmt(instructions.app / 1e6)} | ${fmt((instructions.app - instructions.node) / 1e6)} M (the app's own modules add ${fmt(instructions.appOverDependencies * 100, 1)}% to its dependencies) |`,
      ]),
].join("\n");
console.log(`\n${table}\n`);
await writeResults(
  sourceDir,
  {
    measuredAt: new Date().toISOString(),
    ...(compareWith === undefined ? {} : { comparedWith: checkoutLabel(compareWith) }),
    throughput,
    fanout,
    coldStart: cold,
    coldStartInstructions: instructions,
  },
  table,
);
console.log("written to bench/results.json and bench/README.md");
