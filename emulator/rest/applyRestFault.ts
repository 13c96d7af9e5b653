import type { ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type { RestFaultPlan } from "../faults/Faults.js";
import { RestError } from "./RestError.js";

/**
 * Carries out a test-only REST fault: waits, then fails or hangs the call. Returns the error
 * to answer, "gone" when the call is not to be answered (hung, or the client or the emulator
 * went away), or undefined to handle the call normally.
 */
export async function applyRestFault(
  plan: RestFaultPlan,
  res: ServerResponse,
  closed: AbortSignal,
  onHang: () => void,
): Promise<RestError | "gone" | undefined> {
  const left = new AbortController();
  res.once("close", () => left.abort());
  const gone = AbortSignal.any([closed, left.signal]);
  if (plan.delayMs > 0) {
    try {
      await delay(plan.delayMs, undefined, { signal: gone });
    } catch {
      return "gone";
    }
  }
  const { outcome } = plan;
  if (outcome.kind === "normal") return undefined;
  if (outcome.kind === "hang") {
    onHang();
    if (!gone.aborted) {
      await new Promise((resolve) => gone.addEventListener("abort", resolve, { once: true }));
    }
    return "gone";
  }
  if (outcome.status === 429 || outcome.status === 503) {
    res.setHeader("Retry-After", String(outcome.retryAfterSeconds));
  }
  return new RestError(outcome.status, "Emulator.Fault", `Injected fault: ${outcome.status}.`);
}
