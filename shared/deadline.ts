import { DependencyError } from "./errors.js";

/**
 * Runs one event's work under a deadline. The work gets the event's abort signal, to bind every
 * dependency call to (`StateStore.withSignal`, `HubService.withSignal`). A tenth of the time
 * (at most a second) before the deadline those calls are aborted, and the work gets that tenth
 * to undo what it had begun; at the deadline it is answered as a failure, whatever it waits for.
 */
export async function withinDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const grace = Math.min(1000, Math.floor(ms / 10));
  const controller = new AbortController();
  // Made only when the deadline passes: an error captures its stack when it is constructed.
  let timeout: DependencyError | undefined;
  const expiredError = () => (timeout ??= new DependencyError("event", undefined, "timeout"));
  const timers: NodeJS.Timeout[] = [];
  const expired = new Promise<never>((_, reject) => {
    timers.push(
      setTimeout(() => {
        controller.abort(expiredError());
      }, ms - grace),
      setTimeout(() => {
        reject(expiredError());
      }, ms),
    );
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * Runs one dependency call with an abort signal that fires at its own deadline or when
 * `event` aborts, whichever comes first; the timer and the listener go as soon as the call ends.
 */
export async function withCallDeadline<T>(
  ms: number,
  event: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException("the call ran past its deadline", "TimeoutError"));
  }, ms);
  const onEventAbort = () => controller.abort(event?.reason);
  if (event?.aborted === true) onEventAbort();
  else event?.addEventListener("abort", onEventAbort, { once: true });
  try {
    return await call(controller.signal);
  } finally {
    clearTimeout(timer);
    event?.removeEventListener("abort", onEventAbort);
  }
}

/** True for the error an aborted SDK call throws. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
