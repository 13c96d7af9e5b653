import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export interface IdleSpinners {
  stop(): Promise<void>;
}

/**
 * One busy loop per core at the lowest scheduling class (SCHED_IDLE), which runs only when
 * nothing else wants the core. On a virtual machine a core that halts makes the next wake-up
 * cost the woken process tens to hundreds of µs of CPU time, so an event's CPU time would
 * depend on how long it waited for Table Storage rather than on the work it did; with the cores
 * never idle, every process is woken without that cost and still preempts the loop at once.
 * Undefined where `chrt` is missing (the run goes on without).
 */
export function startIdleSpinners(cores: readonly number[]): IdleSpinners | undefined {
  if (spawnSync("chrt", ["--version"], { stdio: "ignore" }).status !== 0) return undefined;
  const children: ChildProcess[] = cores.map((core) =>
    spawn(
      "taskset",
      ["-c", String(core), "chrt", "--idle", "0", process.execPath, "-e", "for (;;) {}"],
      { stdio: "ignore" },
    ),
  );
  const stopOnExit = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", stopOnExit);
  return {
    stop: async () => {
      process.off("exit", stopOnExit);
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGKILL");
          await exited;
        }),
      );
    },
  };
}
