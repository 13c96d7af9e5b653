import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";

/** What an event handler works with: the runtime's parts and a log for this invocation. */
export interface EventDeps extends Runtime {
  readonly log: Log;
}

/** The same parts, with every store and REST call ended when the event's deadline passes. */
export function withEventSignal(deps: EventDeps, signal: AbortSignal): EventDeps {
  return {
    ...deps,
    store: deps.store.withSignal(signal),
    service: deps.service.withSignal(signal),
  };
}
