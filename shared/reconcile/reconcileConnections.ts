import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";

export interface ReconcileOptions {
  /** Connections younger than this are left alone: their `connected` may still be settling. */
  readonly graceMs: number;
  /** How long a disconnected marker is kept to stop a late `connected` from resurrecting it. */
  readonly markerMs: number;
  /** Most connections checked against the service in one run (one REST call each). */
  readonly maxChecks: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  graceMs: 2 * 60_000,
  markerMs: 60 * 60_000,
  maxChecks: 2000,
};

export interface ReconcileReport {
  readonly checked: number;
  readonly removed: number;
  readonly purged: number;
}

/**
 * Repairs what lost `disconnected` events leave behind: every recorded connection the service
 * no longer has is removed with its memberships, and old disconnected markers are purged.
 * Runs from a timer, never on an event's path.
 */
export async function reconcileConnections(
  { config, store, service }: Runtime,
  log: Log,
  now: Date = new Date(),
  options: ReconcileOptions = DEFAULT_RECONCILE_OPTIONS,
): Promise<ReconcileReport> {
  const hub = config.hub;
  const candidates = await store.listLiveConnections(
    hub,
    new Date(now.getTime() - options.graceMs),
    options.maxChecks,
  );
  let removed = 0;
  for (const connection of candidates) {
    if (await service.connectionExists(connection.connectionId)) continue;
    await store.removeConnection(hub, connection.connectionId, connection.userId);
    removed += 1;
  }
  const purged = await store.purgeGoneConnections(
    hub,
    new Date(now.getTime() - options.markerMs),
    options.maxChecks,
  );
  const report = { checked: candidates.length, removed, purged };
  log.info("connections reconciled", report);
  return report;
}
