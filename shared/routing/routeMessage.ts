import { authorizeDirect, authorizeGroup, type Decision } from "../authorization/authorize.js";
import { SettingNames as S } from "../config/settingNames.js";
import type { EventDeps } from "../events/eventDeps.js";
import type { UserEvent } from "../protocol/webPubSubEvent.js";
import { announcePresence, netChange } from "../presence/announcePresence.js";
import type { EventStamp, PresenceChange } from "../state/stateStore.js";
import type { ClientMessage } from "./clientMessage.js";
import { identifySender, type Sender } from "./identifySender.js";
import type { AckErrorCode, Envelope, MessageId, PresentUser } from "./messageTypes.js";
import { clientIdKey, serverMessageId } from "./serverMessageId.js";

/** Most distinct users a `members` answer lists. */
export const MEMBERS_LIMIT = 1000;

/** How long a `send` with a client `id` is remembered: a retry within it is not sent again. */
export const SEND_DEDUPE_WINDOW_MS = 2 * 60_000;

export type Outcome =
  | {
      ok: true;
      messageId?: string;
      members?: readonly string[] | readonly PresentUser[];
      truncated?: boolean;
    }
  | { ok: false; error: { code: AckErrorCode; message: string; retryAfterMs?: number } };

/**
 * Carries out one protocol message for its sender. Every action reads who the sender is from
 * the store and passes the one policy (`authorizeGroup` / `authorizeDirect`) before anything is
 * written to the store or sent to the service.
 */
export async function routeMessage(
  message: ClientMessage,
  event: UserEvent,
  deps: EventDeps,
): Promise<Outcome> {
  switch (message.type) {
    case "join":
      return await join(message.group, event, deps);
    case "leave":
      return await leave(message.group, event, deps);
    case "members":
      return await members(message.group, event, deps);
    case "send":
      return message.group === undefined
        ? await sendToUser(message.user ?? "", message.data, message.id, event, deps)
        : await sendToGroup(message.group, message.data, message.id, event, deps);
  }
}

async function join(group: string, event: UserEvent, deps: EventDeps): Promise<Outcome> {
  const { context } = event.request;
  const { store, service, config, log } = deps;
  const sender = await joinLeaveSender("join", group, event, deps);
  if (!sender.ok) return sender.outcome;

  const cap = config.messages.maxGroupsPerConnection;
  const rows = await store.listConnectionGroups(context.hub, context.connectionId, 2 * cap);
  const existing = rows.find((row) => row.group === group);
  if (existing?.state === "left" && isUndoneBy(event, existing.joinedBy, existing.leftBy)) {
    // This join, or one older than the leave, comes after that leave: it must not join again.
    log.info("join older than the group's last leave; not applied", {
      group: group.slice(0, 128),
    });
    return { ok: true };
  }
  if (existing?.state !== "member") {
    const joined = rows.filter((row) => row.state === "member").length;
    if (joined >= cap) {
      log.info("join refused: group limit reached", { group: group.slice(0, 128), limit: cap });
      return error(
        "forbidden",
        `a connection may be in at most ${cap} groups (${S.maxGroupsPerConnection}); leave one first`,
      );
    }
    if (rows.length >= cap) {
      const left = rows.filter((row) => row.state === "left").map((row) => row.group);
      await store.forgetLeftGroups(context.hub, context.connectionId, left);
    }
  }
  // The store first, then the service; a failed store write or service call takes back the rows
  // this join wrote (a membership that was there before stays).
  const member = { userId: sender.userId, roles: sender.roles };
  // A group that was a tombstone becomes one again (with the events it remembered), so a
  // re-delivered older join is still recognised; one that was never joined loses its rows.
  const undo = async (): Promise<PresenceChange | undefined> => {
    if (existing === undefined) {
      return await deps.repairStore.deleteMembership(context.hub, context.connectionId, group);
    }
    if (existing.state === "left" && existing.leftBy !== undefined) {
      return await deps.repairStore.removeMembership(
        context.hub,
        context.connectionId,
        group,
        existing.leftBy,
        { joinedBy: existing.joinedBy, markIfAbsent: true, userId: sender.userId },
      );
    }
    return undefined;
  };
  // The group hears of the user only once the service holds the connection; an undone join
  // announces what its undo left changed (an `online` and its undo's `offline` cancel out).
  let joined: PresenceChange | undefined;
  let added: boolean;
  try {
    joined = await store.addMembership(
      context.hub,
      context.connectionId,
      member,
      group,
      stamp(event),
    );
    // The service refuses a connection that has closed, so a disconnect recorded since the
    // sender was read ends here too, and the join takes back what it wrote.
    added = await service.addToGroup(group, context.connectionId);
  } catch (thrown) {
    // Best effort; what stays is swept with the connection, and a retried join rewrites it.
    const undone = await undo().catch((failure: unknown) => {
      logRepairFailure(deps, "join", failure);
      return undefined;
    });
    await announce(deps, netChange(joined, undone));
    throw thrown;
  }
  if (!added) {
    await announce(deps, netChange(joined, await undo()));
    return error("gone", "this connection is no longer connected");
  }
  await announce(deps, joined);
  return { ok: true };
}

async function leave(group: string, event: UserEvent, deps: EventDeps): Promise<Outcome> {
  const { context } = event.request;
  const { store, service, config } = deps;
  const sender = await joinLeaveSender("leave", group, event, deps);
  if (!sender.ok) return sender.outcome;
  // A leave that overtook its join leaves a tombstone too, while the connection's index has
  // room (a connection cannot grow it without bound by leaving groups it never joined).
  const cap = 2 * config.messages.maxGroupsPerConnection;
  const rows = await store.listConnectionGroups(context.hub, context.connectionId, cap);
  const known = rows.some((row) => row.group === group);
  // The right to send goes first, so a leave that fails half way never leaves it behind.
  const left = await store.removeMembership(
    context.hub,
    context.connectionId,
    group,
    stamp(event),
    {
      markIfAbsent: !known && rows.length < cap,
      userId: sender.userId,
    },
  );
  try {
    await service.removeFromGroup(group, context.connectionId);
  } finally {
    // The store's leave stands whatever the service answered, and a retry would change nothing.
    await announce(deps, left);
  }
  return { ok: true };
}

async function members(group: string, event: UserEvent, deps: EventDeps): Promise<Outcome> {
  const { context } = event.request;
  const { store, config } = deps;
  const { sender, isMember } = await memberSender(group, event, deps);
  if (!sender.ok) return refusedSender(sender);
  const refusal = refused(
    "members",
    authorizeGroup("members", sender, group, isMember, config.authorization),
    group,
    deps,
  );
  if (refusal) return refusal;
  if (store.isPresenceGroup(group)) {
    const counted = await store.listGroupMemberCounts(context.hub, group, MEMBERS_LIMIT);
    return {
      ok: true,
      members: counted.members.map(({ userId, connections }) => ({ user: userId, connections })),
      truncated: counted.truncated,
    };
  }
  const listed = await store.listGroupMembers(context.hub, group, MEMBERS_LIMIT);
  return { ok: true, members: listed.users, truncated: listed.truncated };
}

async function sendToGroup(
  group: string,
  data: unknown,
  clientId: MessageId | undefined,
  event: UserEvent,
  deps: EventDeps,
): Promise<Outcome> {
  const { sender, isMember } = await memberSender(group, event, deps);
  if (!sender.ok) return refusedSender(sender);
  const decision = authorizeGroup("send", sender, group, isMember, deps.config.authorization);
  const refusal = refused("send", decision, group, deps);
  if (refusal) return refusal;
  const envelope = toEnvelope(event, clientId, sender.userId, { group }, data);
  return await routeOnce(envelope, clientId, event, deps, async () => {
    await deps.service.sendToGroup(group, envelope);
  });
}

async function sendToUser(
  user: string,
  data: unknown,
  clientId: MessageId | undefined,
  event: UserEvent,
  deps: EventDeps,
): Promise<Outcome> {
  const { store, config, log } = deps;
  const sender = await identifySender(event.request.context, store, log);
  if (!sender.ok) return refusedSender(sender);
  const decision = authorizeDirect(config.authorization);
  if (!decision.allowed) {
    log.info("message refused by policy", { action: "send", to: "user", rule: decision.rule });
    return error("forbidden", decision.reason);
  }
  const envelope = toEnvelope(event, clientId, sender.userId, { user }, data);
  return await routeOnce(envelope, clientId, event, deps, async () => {
    await deps.service.sendToUser(user, envelope);
  });
}

/**
 * Routes a send once per (connection, client id), or per event when the client gave no id,
 * within `SEND_DEDUPE_WINDOW_MS`: the claim is a conditional insert made before the REST call,
 * confirmed after it, and dropped when the call fails, so a retry of a failed send is sent and
 * a retry (or a re-delivery) of a routed one is not.
 */
async function routeOnce(
  envelope: Envelope,
  clientId: MessageId | undefined,
  event: UserEvent,
  deps: EventDeps,
  send: () => Promise<void>,
): Promise<Outcome> {
  const { store, config, log } = deps;
  const { hub, connectionId } = event.request.context;
  const to = envelope.group === undefined ? "user" : "group";
  const key = clientId === undefined ? `e:${event.id}` : clientIdKey(clientId);
  const claim = await store.claimSend(hub, connectionId, key, envelope.id, SEND_DEDUPE_WINDOW_MS);
  if (claim.outcome === "sent") {
    log.info("message already routed; not sent again", { messageId: envelope.id });
    return { ok: true, messageId: claim.messageId };
  }
  if (claim.outcome === "pending") {
    // Another attempt holds the claim: wait for it while it may still be running, then take over.
    const waitMs = claim.since.getTime() + config.deadlines.eventMs - Date.now();
    if (waitMs > 0 || !(await store.reclaimSend(hub, connectionId, key, envelope.id, claim.etag))) {
      return {
        ok: false,
        error: {
          code: "unavailable",
          message:
            "an earlier attempt of this message is still being routed; try again with the same id",
          retryAfterMs: Math.max(waitMs, 1000),
        },
      };
    }
  }
  try {
    await send();
  } catch (thrown) {
    await deps.repairStore.releaseSend(hub, connectionId, key).catch((failure: unknown) => {
      logRepairFailure(deps, "send", failure);
    });
    throw thrown;
  }
  log.info("message routed", { messageId: envelope.id, to });
  try {
    await store.confirmSend(hub, connectionId, key);
  } catch {
    // Routed all the same: a retry after the claim's deadline sends it again, with the same id.
    log.warn("routed message could not be confirmed for de-duplication", {
      messageId: envelope.id,
    });
  }
  return { ok: true, messageId: envelope.id };
}

/** The sender of a join or leave, once the policy allows it (else the refusal to answer). */
async function joinLeaveSender(
  action: "join" | "leave",
  group: string,
  event: UserEvent,
  deps: EventDeps,
): Promise<Extract<Sender, { ok: true }> | { ok: false; outcome: Outcome }> {
  const sender = await identifySender(event.request.context, deps.store, deps.log);
  if (!sender.ok) return { ok: false, outcome: refusedSender(sender) };
  const decision = authorizeGroup(action, sender, group, false, deps.config.authorization);
  const refusal = refused(action, decision, group, deps);
  return refusal === undefined ? sender : { ok: false, outcome: refusal };
}

/**
 * The sender of a group action, read from its membership of the group when it has one (the
 * row carries the user and roles, so a member's send costs one read); otherwise from its
 * connection row.
 */
async function memberSender(
  group: string,
  event: UserEvent,
  { store, log }: EventDeps,
): Promise<{ sender: Sender; isMember: boolean }> {
  const { context } = event.request;
  const membership = await store.getMembership(context.hub, group, context.connectionId);
  const sender = await identifySender(context, store, log, membership);
  return { sender, isMember: membership !== undefined };
}

function toEnvelope(
  event: UserEvent,
  clientId: MessageId | undefined,
  from: string,
  target: { group: string } | { user: string },
  data: unknown,
): Envelope {
  return {
    type: "message",
    id: serverMessageId(event, event.request.context.connectionId, clientId),
    from,
    ...target,
    data,
    at: new Date().toISOString(),
  };
}

/** A refusal ack when the policy says no, logged (never with the message body). */
function refused(
  action: string,
  decision: Decision,
  group: string,
  { log }: EventDeps,
): Outcome | undefined {
  if (decision.allowed) return undefined;
  log.info("message refused by policy", {
    action,
    group: group.slice(0, 128),
    rule: decision.rule,
  });
  return error("forbidden", decision.reason);
}

function refusedSender(sender: Extract<Sender, { ok: false }>): Outcome {
  return error(sender.code, sender.reason);
}

/** An undo that failed: the failure being answered stays the one reported; this one is logged. */
function logRepairFailure(deps: EventDeps, action: "join" | "send", failure: unknown): void {
  deps.log.error(
    action === "join"
      ? "could not take back a failed join's rows; the reconciler's sweep removes them with the connection"
      : "could not drop a failed send's record; a retry waits for it to expire",
    {},
    failure,
  );
}

async function announce(deps: EventDeps, change: PresenceChange | undefined): Promise<void> {
  if (change !== undefined) await announcePresence(deps.service, change, deps.log);
}

function stamp(event: UserEvent): EventStamp {
  return { id: event.id, time: event.time };
}

/**
 * True when a join was undone by a leave recorded after it: the same event delivered again, or
 * an event older than the leave (by its `ce-id` where both are whole numbers, as the service's
 * per-connection counters are, else by its `ce-time`, whose unit is the second).
 */
function isUndoneBy(
  join: UserEvent,
  joinedBy: EventStamp,
  leftBy: EventStamp | undefined,
): boolean {
  if (join.id === joinedBy.id) return true;
  if (leftBy === undefined) return false;
  if (/^\d{1,15}$/.test(join.id) && /^\d{1,15}$/.test(leftBy.id)) {
    return Number(join.id) < Number(leftBy.id);
  }
  const [joinedAt, leftAt] = [Date.parse(join.time ?? ""), Date.parse(leftBy.time ?? "")];
  return !Number.isNaN(joinedAt) && !Number.isNaN(leftAt) && joinedAt < leftAt;
}

function error(code: AckErrorCode, message: string): Outcome {
  return { ok: false, error: { code, message } };
}
