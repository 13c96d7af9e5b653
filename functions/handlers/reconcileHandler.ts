import type { InvocationContext, Timer } from "@azure/functions";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { getRuntime } from "../../shared/runtime.js";
import { contextLog } from "../adapter/contextLog.js";

/**
 * Every five minutes: repair what lost or half-applied events left in the store. A failed run
 * is logged and rethrown, so the host records a failed invocation; the next run starts over.
 */
export async function reconcileHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = contextLog(context);
  try {
    await reconcileConnections(getRuntime(), log);
  } catch (thrown) {
    log.error("reconcile failed", {}, thrown);
    throw thrown;
  }
}
