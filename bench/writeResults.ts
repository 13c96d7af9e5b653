import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** Writes the figures as JSON and replaces the table between the markers in bench/README.md. */
export async function writeResults(
  benchDir: string,
  results: object,
  table: string,
): Promise<void> {
  await writeFile(path.join(benchDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const readmePath = path.join(benchDir, "README.md");
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`bench/README.md lacks the ${START} … ${END} markers`);
  await writeFile(
    readmePath,
    `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`,
  );
}
