import { spawn, type ChildProcess } from "node:child_process";
import type { ChildMessage, ChildRequest } from "../servers/benchChild.js";

/**
 * One implementation's server process, pinned to its own core: started once, asked for its CPU
 * time around each measured phase, stopped at the end. A process that exits early fails every
 * question still open, and so the run.
 */
export class ImplementationProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (message: ChildMessage) => void>();
  private nextId = 1;
  private exited: Error | undefined;
  readonly ready: Promise<number>;

  constructor(
    readonly name: string,
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    core: number,
    nodeOptions: readonly string[] = [],
  ) {
    const command = [String(core), process.execPath, ...nodeOptions, script, ...args];
    this.child = spawn("taskset", ["-c", ...command], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env,
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") resolve(message.port);
        else this.waiting.get(message.id)?.(message);
      });
      this.child.once("exit", (code, signal) => {
        this.exited = new Error(`${name} exited (${code ?? signal}) during the benchmark`);
        reject(this.exited);
        for (const answer of this.waiting.values()) answer({ type: "ready", port: -1 });
      });
    });
    // Awaited where it matters; a process stopped before anyone asked is no failure of its own.
    this.ready.catch(() => undefined);
  }

  /** This process's CPU time so far (user + system, all threads, µs), once its work is done. */
  async cpuMicros(): Promise<number> {
    const answer = await this.ask({ type: "cpu", id: this.nextId++ });
    if (answer.type !== "cpu") throw this.exited ?? new Error(`${this.name}: no CPU time`);
    return answer.user + answer.system;
  }

  async configure(value: unknown): Promise<void> {
    const answer = await this.ask({ type: "configure", id: this.nextId++, value });
    if (answer.type !== "configured")
      throw this.exited ?? new Error(`${this.name}: not configured`);
  }

  /** Closes the channel, so the process exits by itself (writing a CPU profile if asked for). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGTERM"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async ask(request: ChildRequest): Promise<ChildMessage> {
    if (this.exited) throw this.exited;
    return await new Promise((resolve) => {
      this.waiting.set(request.id, (message) => {
        this.waiting.delete(request.id);
        resolve(message);
      });
      this.child.send(request);
    });
  }
}
