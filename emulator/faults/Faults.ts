import type { FaultOptions, RestFault } from "../types.js";

/** What a faulted REST call gets: a wait, then a failure, a hang or the normal answer. */
export interface RestFaultPlan {
  delayMs: number;
  outcome:
    | { kind: "normal" }
    | { kind: "hang" }
    | { kind: "fail"; status: number; retryAfterSeconds: number };
}

/** The test-only faults in force, changeable while the emulator runs. */
export class Faults {
  private options: FaultOptions = {};
  /** Failures or hangs left for the current `rest` fault (Infinity: no limit). */
  private restLeft = Infinity;
  private readonly listeners: ((previous: FaultOptions) => void)[] = [];

  constructor(initial: FaultOptions = {}) {
    this.set(initial);
  }

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  /** Called after every change with the faults that were in force before it. */
  onChange(listener: (previous: FaultOptions) => void): void {
    this.listeners.push(listener);
  }

  set(partial: Partial<FaultOptions>): void {
    const status = partial.rest?.failWith;
    if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) {
      throw new RangeError(`rest.failWith must be an HTTP error status (400–599), not ${status}`);
    }
    const previous = this.options;
    const merged = { ...previous, ...partial };
    const next: FaultOptions = {};
    if (merged.duplicateEvents !== undefined && merged.duplicateEvents !== false) {
      next.duplicateEvents = merged.duplicateEvents;
    }
    if (merged.reorderLifecycle === true) next.reorderLifecycle = true;
    if (merged.dropDisconnected === true) next.dropDisconnected = true;
    if (merged.rest !== undefined) next.rest = merged.rest;
    if ("rest" in partial) this.restLeft = partial.rest?.failCount ?? Infinity;
    this.options = next;
    for (const listener of this.listeners) listener(previous);
  }

  clear(): void {
    this.set({
      duplicateEvents: undefined,
      reorderLifecycle: undefined,
      dropDisconnected: undefined,
      rest: undefined,
    });
  }

  /** Whether an upstream event with this `ce-eventName` is to be sent twice. */
  duplicates(eventName: string): boolean {
    const chosen = this.options.duplicateEvents;
    if (chosen === undefined || chosen === false) return false;
    return chosen === true || chosen.includes(eventName);
  }

  /** The plan for one REST call, or undefined when no fault matches it (counts the call). */
  planRest(method: string, path: string): RestFaultPlan | undefined {
    const fault = this.options.rest;
    if (!fault || !matches(fault, method, path)) return undefined;
    const delayMs = Math.max(0, fault.delayMs ?? 0);
    const failing = fault.hang === true || fault.failWith !== undefined;
    if (!failing || this.restLeft <= 0) return { delayMs, outcome: { kind: "normal" } };
    this.restLeft -= 1;
    if (fault.hang === true) return { delayMs, outcome: { kind: "hang" } };
    return {
      delayMs,
      outcome: {
        kind: "fail",
        status: fault.failWith ?? 500,
        retryAfterSeconds: fault.retryAfterSeconds ?? 1,
      },
    };
  }
}

function matches(fault: RestFault, method: string, path: string): boolean {
  const { match } = fault;
  if (match === undefined) return true;
  return typeof match === "string" ? path.includes(match) : match(method, path);
}
