import type { InvocationContext, Timer } from "@azure/functions";
import { toError } from "../../shared/errors/toError.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { getRuntime } from "../../shared/runtime.js";
import { contextLog } from "../adapter/contextLog.js";

/** Every five minutes: remove connections whose `disconnected` event was lost. */
export async function reconcileHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = contextLog(context);
  try {
    await reconcileConnections(getRuntime(), log);
  } catch (thrown) {
    // The next run starts over; nothing is half-applied that a retry would not repair.
    const error = toError(thrown);
    log.error("reconcile failed", {
      invocationId: context.invocationId,
      error: error.name,
      detail: error.message,
    });
  }
}
