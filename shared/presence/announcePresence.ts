import { toError } from "../errors.js";
import type { Log } from "../log/log.js";
import type { PresenceNotice } from "../routing/messageTypes.js";
import type { HubService } from "../service/hubService.js";
import type { PresenceChange } from "../state/stateStore.js";

/**
 * Tells a presence group that a user came online or went offline: one REST call. A notice that
 * fails is logged and dropped; the membership change it reports stands, and `members` shows it.
 */
export async function announcePresence(
  service: HubService,
  change: PresenceChange,
  log: Log,
): Promise<void> {
  const notice: PresenceNotice = {
    type: "presence",
    group: change.group,
    user: change.userId,
    state: change.state,
    at: new Date().toISOString(),
  };
  try {
    await service.sendToGroup(change.group, notice);
  } catch (thrown) {
    log.warn("presence notice not sent", {
      group: change.group.slice(0, 128),
      state: change.state,
      error: toError(thrown).message,
    });
  }
}

/** Announces each change, every group's at once (one REST call each). */
export async function announceAll(
  service: HubService,
  changes: readonly PresenceChange[],
  log: Log,
): Promise<void> {
  await Promise.all(changes.map(async (change) => await announcePresence(service, change, log)));
}

/**
 * What a join and its undo changed together: an `online` never announced and its undo's
 * `offline` cancel out; otherwise whichever of the two changed presence.
 */
export function netChange(
  joined: PresenceChange | undefined,
  undone: PresenceChange | undefined,
): PresenceChange | undefined {
  return joined !== undefined && undone !== undefined ? undefined : (joined ?? undone);
}
