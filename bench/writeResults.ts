import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** Writes the figures of a run as JSON to bench/results/latest.json (ignored by git). */
export async function writeResults(benchDir: string, results: object): Promise<string> {
  const folder = path.join(benchDir, "results");
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, "latest.json");
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Replaces the committed tables between the markers in bench/README.md (`--update-readme`). */
export async function updateReadme(benchDir: string, tables: string): Promise<void> {
  const readmePath = path.join(benchDir, "README.md");
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`bench/README.md lacks the ${START} … ${END} markers`);
  await writeFile(
    readmePath,
    `${readme.slice(0, start + START.length)}\n${tables}\n${readme.slice(end)}`,
  );
}
