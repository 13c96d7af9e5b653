import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";

/** What an event handler works with: the runtime's parts and a log for this invocation. */
export interface EventDeps extends Runtime {
  readonly log: Log;
}
