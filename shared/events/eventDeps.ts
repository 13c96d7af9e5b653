import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";
import type { StateStore } from "../state/stateStore.js";

/** What an event handler works with: the runtime's parts and a log for this invocation. */
export interface EventDeps extends Runtime {
  readonly log: Log;
  /**
   * The store without the event's deadline, for undoing what a failed step wrote: a deadline
   * that has passed must not stop the repair of what it interrupted.
   */
  readonly repairStore: StateStore;
}

/** The same parts, with every store and REST call ended when the event's deadline passes. */
export function withEventSignal(deps: EventDeps, signal: AbortSignal): EventDeps {
  return {
    ...deps,
    store: deps.store.withSignal(signal),
    service: deps.service.withSignal(signal),
    repairStore: deps.repairStore,
  };
}
