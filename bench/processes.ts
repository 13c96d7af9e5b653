import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Runs `node <script> …args` pinned to one core (taskset, where the machine has it). */
export function spawnPinned(
  core: number,
  script: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  return spawn("taskset", ["-c", String(core), process.execPath, script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
}

/** Calls `onLine` with every JSON line the child prints. */
export function onJsonLine(
  child: ChildProcess,
  onLine: (value: Record<string, unknown>) => void,
): void {
  const stdout = child.stdout;
  if (stdout === null) throw new Error("child has no stdout");
  createInterface({ input: stdout }).on("line", (line) => {
    if (line.startsWith("{")) onLine(JSON.parse(line) as Record<string, unknown>);
  });
}

/** The first JSON line a child prints that has `key` (any JSON line when no key is given). */
export async function firstJsonLine<T>(child: ChildProcess, key?: string): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`child exited (${code}) before printing a result`)),
    );
    onJsonLine(child, (value) => {
      if (key === undefined || key in value) resolve(value as T);
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
