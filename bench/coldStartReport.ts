import type { ColdStartResult, InstructionCounts } from "./coldStart.js";

const fmt = (n: number, digits = 0) => n.toFixed(digits);

/** The cold start tables: wall time of fresh processes, and instructions where valgrind is. */
export function coldStartTables(
  cold: ColdStartResult,
  instructions: InstructionCounts | undefined,
): string {
  return [
    "| cold start (median of 15 fresh processes) | ms | over `node -e 0` |",
    "|---|---|---|",
    `| \`node -e 0\` | ${fmt(cold.nodeMs, 1)} | – |`,
    `| the app's dependencies alone | ${fmt(cold.dependenciesMs, 1)} | ${fmt(cold.dependenciesMs - cold.nodeMs, 1)} ms |`,
    `| the function app started (entries imported, start hook run) | ${fmt(cold.appMs, 1)} | ${fmt(cold.appMs - cold.nodeMs, 1)} ms (the app's own modules add ${fmt(cold.appOverDependencies * 100, 1)}% to its dependencies) |`,
    `| a fresh process until its first signed event is answered | ${fmt(cold.firstEventMs, 1)} | ${fmt(cold.firstEventMs - cold.nodeMs, 1)} ms (what loading on first use moves to that request) |`,
    `| the same, with the deployment package (\`npm run package\`: bundled, no node_modules) | ${fmt(cold.firstEventPackagedMs, 1)} | ${fmt(cold.firstEventPackagedMs - cold.nodeMs, 1)} ms |`,
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
}
