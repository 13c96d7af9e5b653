import { toError } from "../errors.js";
import { announceAll } from "../presence/announcePresence.js";
import { SEND_DEDUPE_WINDOW_MS } from "../routing/routeMessage.js";
import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";

export interface ReconcileOptions {
  /** Connections younger than this are left alone: their `connected` may still be settling. */
  readonly graceMs: number;
  /** How long a disconnected marker is kept to stop a late `connected` from resurrecting it. */
  readonly markerMs: number;
  /** A run stops checking after this long (the next run goes on); keeps runs under the schedule. */
  readonly budgetMs: number;
  /** Checks against the service in flight at once (one REST call each). */
  readonly concurrency: number;
  /** Most markers deleted in one run. */
  readonly maxPurges: number;
  /** Most rows of each kind the orphan sweep reads in one run (ten times as many send records). */
  readonly maxSweepRows: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  graceMs: 2 * 60_000,
  markerMs: 60 * 60_000,
  budgetMs: 4 * 60_000,
  concurrency: 8,
  maxPurges: 5000,
  maxSweepRows: 20_000,
};

export interface ReconcileReport {
  readonly checked: number;
  readonly removed: number;
  readonly failed: number;
  readonly purged: number;
  /**
   * Membership, index, slot, presence and send-claim rows read and removed (or, for presence
   * rows, repaired) by the orphan sweep.
   */
  readonly orphans: { readonly scanned: number; readonly removed: number };
  /**
   * `offline` notices this run made, for users whose last connection in a presence group it
   * removed (one REST call each; one the service refused is logged, and counted all the same).
   */
  readonly offline: number;
  /** False when the run stopped at its time or row budget; the next run goes on. */
  readonly complete: boolean;
}

/**
 * Repairs what lost or half-applied events leave behind: every recorded connection the service
 * no longer has is removed with its memberships and slot; old disconnected markers are purged,
 * each after what its disconnect left; and membership, index and slot rows whose connection is
 * gone or was never recorded are removed, such connections are taken out of presence rows, and
 * expired send claims are removed. Each user that leaves a presence group by this is announced
 * `offline` there. Runs from a timer, never on an event's path; one failing check does not stop
 * the run; the work per run is bounded.
 */
export async function reconcileConnections(
  runtime: Runtime,
  log: Log,
  now: Date = new Date(),
  options: ReconcileOptions = DEFAULT_RECONCILE_OPTIONS,
): Promise<ReconcileReport> {
  const { config, store, service } = runtime;
  const deadline = Date.now() + options.budgetMs;
  const tally = { kept: 0, removed: 0, failed: 0, offline: 0 };
  let complete = true;
  for await (const page of store.listLiveConnections(
    config.hub,
    new Date(now.getTime() - options.graceMs),
  )) {
    if (Date.now() > deadline) {
      complete = false;
      break;
    }
    for (let i = 0; i < page.length; i += options.concurrency) {
      const batch = page.slice(i, i + options.concurrency);
      const outcomes = await Promise.all(
        batch.map(async (connection) => await check(runtime, connection, log)),
      );
      for (const outcome of outcomes) {
        if (typeof outcome === "number") {
          tally.removed += 1;
          tally.offline += outcome;
        } else {
          tally[outcome] += 1;
        }
      }
    }
  }
  // The purge and the sweep share what is left of the run's budget.
  const purge = await store.purgeGoneConnections(
    config.hub,
    new Date(now.getTime() - options.markerMs),
    options.maxPurges,
    deadline,
  );
  const purged = purge.purged;
  await announceAll(service, purge.presence, log);
  const sweep = await store.sweepOrphans(config.hub, {
    maxRows: options.maxSweepRows,
    slotGraceMs: options.graceMs,
    sendWindowMs: SEND_DEDUPE_WINDOW_MS,
    now,
    stopAt: deadline,
  });
  await announceAll(service, sweep.presence, log);
  const report = {
    checked: tally.kept + tally.removed + tally.failed,
    removed: tally.removed,
    failed: tally.failed,
    purged,
    orphans: { scanned: sweep.scanned, removed: sweep.removed },
    offline: tally.offline + purge.presence.length + sweep.presence.length,
    complete: complete && purge.complete && sweep.complete,
  };
  log.info("connections reconciled", {
    ...report,
    orphans: undefined,
    orphansScanned: sweep.scanned,
    orphansRemoved: sweep.removed,
  });
  return report;
}

/** "kept", "failed", or, for a connection removed, the number of `offline` notices it made. */
async function check(
  { config, store, service }: Runtime,
  connection: { readonly connectionId: string; readonly userId: string },
  log: Log,
): Promise<"kept" | "failed" | number> {
  try {
    if (await service.connectionExists(connection.connectionId)) return "kept";
    const changes = await store.removeConnection(
      config.hub,
      connection.connectionId,
      connection.userId,
    );
    await announceAll(service, changes, log);
    return changes.length;
  } catch (thrown) {
    log.warn("could not reconcile a connection", {
      connectionId: connection.connectionId,
      error: toError(thrown).message,
    });
    return "failed";
  }
}
