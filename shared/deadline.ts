import { AsyncLocalStorage } from "node:async_hooks";
import { DependencyError } from "./errors.js";

const eventSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs one event's work under a deadline. Every dependency call made inside it (through
 * `callSignal`) is aborted when the deadline passes, and the work is answered as a failure then,
 * whatever it is waiting for.
 */
export async function withinDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return await eventSignal.run(signal, async () => {
    let onAbort: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      onAbort = () => reject(new DependencyError("event", undefined, "timeout"));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([work(), expired]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    }
  });
}

/** The abort signal of one dependency call: its own deadline, and its event's if it has one. */
export function callSignal(ms: number): AbortSignal {
  const own = AbortSignal.timeout(ms);
  const event = eventSignal.getStore();
  return event === undefined ? own : AbortSignal.any([own, event]);
}

/** True for the error an aborted SDK call throws. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
