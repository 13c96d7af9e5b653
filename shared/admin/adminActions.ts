import { randomUUID } from "node:crypto";
import { toError } from "../errors.js";
import type { Log } from "../log/log.js";
import { announceAll, netChange } from "../presence/announcePresence.js";
import type { Envelope } from "../routing/messageTypes.js";
import type { Runtime } from "../runtime.js";
import type { Permission } from "../service/hubService.js";
import type { PresenceChange, StateStore } from "../state/stateStore.js";
import { AdminError } from "./adminError.js";
import { readAdminMessage } from "./adminMessage.js";
import type { AdminRequest, AdminResponse } from "./adminRequest.js";
import type { AdminAction } from "./adminRoutes.js";
import type { AdminCaller } from "./authorizeAdmin.js";

/** Most connections of one user, groups of one connection and members of a group one request handles. */
export const ADMIN_LIST_LIMIT = 1000;

/** What an action works with. */
export interface AdminDeps extends Runtime {
  readonly log: Log;
  readonly caller: AdminCaller;
  /**
   * The store without the request's deadline, for undoing what a failed step wrote: a deadline
   * that has passed must not stop the repair of what it interrupted.
   */
  readonly repairStore: StateStore;
}

type Params = Readonly<Record<string, string>>;
type Action = (params: Params, request: AdminRequest, deps: AdminDeps) => Promise<AdminResponse>;

const PERMISSIONS: readonly Permission[] = ["sendToGroup", "joinLeaveGroup"];

/**
 * Every admin operation. Memberships change in the store first and at the service second, as a
 * join and a leave do, so the store never grants what the service has not been asked for: an
 * add whose service call fails takes its rows back; a removal whose service call fails has
 * already taken the right away (and is safe to repeat). Presence notices follow the store.
 */
export const ADMIN_ACTIONS: Readonly<Record<AdminAction, Action>> = {
  sendToAll: async (_, request, deps) => {
    const envelope = await envelopeOf(request, deps, {});
    await deps.service.sendToAll(envelope, exclusions(request.query));
    return accepted(envelope);
  },
  sendToUser: async ({ user = "" }, request, deps) => {
    refuseParameter(request.query, "excluded", "a send to a user");
    const envelope = await envelopeOf(request, deps, { user });
    const filter = request.query.get("filter") ?? undefined;
    await deps.service.sendToUser(user, envelope, filter === undefined ? {} : { filter });
    return accepted(envelope);
  },
  sendToGroup: async ({ group = "" }, request, deps) => {
    const envelope = await envelopeOf(request, deps, { group });
    await deps.service.sendToGroup(group, envelope, exclusions(request.query));
    return accepted(envelope);
  },
  sendToConnection: async ({ connectionId = "" }, request, deps) => {
    refuseParameter(request.query, "excluded", "a send to a connection");
    refuseParameter(request.query, "filter", "a send to a connection");
    const envelope = await envelopeOf(request, deps, {});
    if (!(await deps.service.sendToConnection(connectionId, envelope))) {
      throw connectionNotFound();
    }
    return accepted(envelope);
  },

  addConnectionToGroup: async ({ group = "", connectionId = "" }, _, deps) => {
    await addToGroup(group, connectionId, deps);
    return { status: 200, body: { group, connectionId } };
  },
  removeConnectionFromGroup: async ({ group = "", connectionId = "" }, _, deps) => {
    await announceChanges(deps, [await removeFromGroup(group, connectionId, deps)]);
    await deps.service.removeFromGroup(group, connectionId);
    return { status: 204 };
  },
  addUserToGroup: async ({ group = "", user = "" }, _, deps) => {
    const connections = await deps.store.listUserConnections(
      deps.config.hub,
      user,
      ADMIN_LIST_LIMIT,
    );
    const added: string[] = [];
    for (const connectionId of connections) {
      if (await addToGroup(group, connectionId, deps, { skipGone: true })) added.push(connectionId);
    }
    return { status: 200, body: { group, user, connections: added } };
  },
  removeUserFromGroup: async ({ group = "", user = "" }, _, deps) => {
    const { hub } = deps.config;
    const connections = await deps.store.listUserConnections(hub, user, ADMIN_LIST_LIMIT);
    const changes = [];
    for (const connectionId of connections) {
      changes.push(await removeFromGroup(group, connectionId, deps));
    }
    await announceChanges(deps, changes);
    await deps.service.removeUserFromGroup(group, user);
    return { status: 204 };
  },
  removeUserFromAllGroups: async ({ user = "" }, _, deps) => {
    const { hub } = deps.config;
    const connections = await deps.store.listUserConnections(hub, user, ADMIN_LIST_LIMIT);
    for (const connectionId of connections) await leaveAllGroups(connectionId, deps);
    await deps.service.removeUserFromAllGroups(user);
    return { status: 204 };
  },
  removeConnectionFromAllGroups: async ({ connectionId = "" }, _, deps) => {
    await leaveAllGroups(connectionId, deps);
    await deps.service.removeConnectionFromAllGroups(connectionId);
    return { status: 204 };
  },

  // A closed connection's rows go with its `disconnected` event, or with the reconciler's next
  // run when that event is lost.
  closeAll: async (_, request, deps) => {
    await deps.service.closeAll(await closeOptions(request, true));
    return { status: 204 };
  },
  closeUser: async ({ user = "" }, request, deps) => {
    await deps.service.closeUser(user, await closeOptions(request, true));
    return { status: 204 };
  },
  closeGroup: async ({ group = "" }, request, deps) => {
    await deps.service.closeGroup(group, await closeOptions(request, true));
    return { status: 204 };
  },
  closeConnection: async ({ connectionId = "" }, request, deps) => {
    const { reason } = await closeOptions(request, false);
    if (!(await deps.service.closeConnection(connectionId, reason))) throw connectionNotFound();
    return { status: 204 };
  },

  grantPermission: async ({ connectionId = "", permission = "" }, request, deps) => {
    const group = request.query.get("group") ?? undefined;
    if (!(await deps.service.grantPermission(connectionId, permissionOf(permission), group))) {
      throw connectionNotFound();
    }
    return { status: 200, body: { connectionId, permission, group: group ?? null, granted: true } };
  },
  revokePermission: async ({ connectionId = "", permission = "" }, request, deps) => {
    const group = request.query.get("group") ?? undefined;
    await deps.service.revokePermission(connectionId, permissionOf(permission), group);
    return { status: 204 };
  },
  checkPermission: async ({ connectionId = "", permission = "" }, request, deps) => {
    const group = request.query.get("group") ?? undefined;
    const granted = await deps.service.hasPermission(connectionId, permissionOf(permission), group);
    return { status: 200, body: { connectionId, permission, group: group ?? null, granted } };
  },

  getUser: async ({ user = "" }, _, deps) => {
    const [exists, connections] = await Promise.all([
      deps.service.userExists(user),
      deps.store.listUserConnections(deps.config.hub, user, ADMIN_LIST_LIMIT),
    ]);
    return { status: 200, body: { user, exists, connections } };
  },
  getGroup: async ({ group = "" }, _, deps) => {
    const [exists, listed] = await Promise.all([
      deps.service.groupExists(group),
      deps.store.listGroupMemberCounts(deps.config.hub, group, ADMIN_LIST_LIMIT),
    ]);
    const members = listed.members.map(({ userId, connections }) => ({
      user: userId,
      connections,
    }));
    return { status: 200, body: { group, exists, members, truncated: listed.truncated } };
  },
  getConnection: async ({ connectionId = "" }, _, deps) => {
    const { hub } = deps.config;
    const [exists, stored, groups] = await Promise.all([
      deps.service.connectionExists(connectionId),
      deps.store.getConnection(hub, connectionId),
      deps.store.getConnectionGroups(hub, connectionId),
    ]);
    const user = stored?.state === "live" ? stored.userId : null;
    return { status: 200, body: { connectionId, exists, user, groups } };
  },
};

/**
 * Adds a connection the store knows as live to a group: rows first, then the service; rows taken
 * back when the service refuses. False (with `skipGone`) when the connection is gone.
 */
async function addToGroup(
  group: string,
  connectionId: string,
  deps: AdminDeps,
  { skipGone = false } = {},
): Promise<boolean> {
  const { hub } = deps.config;
  const stored = await deps.store.getConnection(hub, connectionId);
  if (stored?.state !== "live") {
    if (skipGone) return false;
    throw connectionNotFound();
  }
  // A membership that was there before stays whatever happens; only rows this call wrote are
  // taken back.
  const existed = (await deps.store.getMembership(hub, group, connectionId)) !== undefined;
  const member = { userId: stored.userId, roles: stored.roles };
  let change: PresenceChange | undefined;
  const undo = async () => {
    if (existed) return;
    const undone = await deps.repairStore.deleteMembership(hub, connectionId, group);
    await announceChanges(deps, [netChange(change, undone)]);
  };
  let added: boolean;
  try {
    change = await deps.store.addMembership(hub, connectionId, member, group, adminStamp());
    added = await deps.service.addToGroup(group, connectionId);
  } catch (thrown) {
    await undo().catch((failure: unknown) => {
      deps.log.error(
        "could not take back a failed admin add's rows; the reconciler's sweep removes them with the connection",
        { group: group.slice(0, 128) },
        toError(failure),
      );
    });
    throw thrown;
  }
  if (!added) {
    await undo();
    if (skipGone) return false;
    throw connectionNotFound();
  }
  await announceChanges(deps, [change]);
  return true;
}

/**
 * Takes the connection out of the group in the store, leaving the index row as a tombstone of
 * this removal (as a `leave` does), so a `join` the service re-delivers from before it is not
 * applied again.
 */
async function removeFromGroup(
  group: string,
  connectionId: string,
  deps: AdminDeps,
): Promise<PresenceChange | undefined> {
  return await deps.store.removeMembership(deps.config.hub, connectionId, group, adminStamp());
}

/** The stamp of an admin's membership change: ordered against client events by its time. */
function adminStamp(): { id: string; time: string } {
  return { id: `admin:${randomUUID()}`, time: new Date().toISOString() };
}

async function leaveAllGroups(connectionId: string, deps: AdminDeps): Promise<void> {
  const groups = await deps.store.getConnectionGroups(deps.config.hub, connectionId);
  const changes = [];
  for (const group of groups) changes.push(await removeFromGroup(group, connectionId, deps));
  await announceChanges(deps, changes);
}

/** The presence notices of what an action changed (the store's `undefined`: nothing to tell). */
async function announceChanges(
  deps: AdminDeps,
  changes: readonly (PresenceChange | undefined)[],
): Promise<void> {
  const made = changes.filter((change) => change !== undefined);
  await announceAll(deps.service, made, deps.log);
}

async function envelopeOf(
  request: AdminRequest,
  deps: AdminDeps,
  target: { group?: string; user?: string },
): Promise<Envelope> {
  const message = readAdminMessage(
    await request.readBody(deps.config.messages.maxBytes),
    request.contentType,
  );
  return {
    type: "message",
    id: `admin.${randomUUID()}`,
    from: `admin:${deps.caller.id}`,
    ...target,
    data: message.data,
    ...(message.encoding === undefined ? {} : { encoding: message.encoding }),
    at: new Date().toISOString(),
  };
}

function accepted(envelope: Envelope): AdminResponse {
  return { status: 202, body: { messageId: envelope.id } };
}

function exclusions(query: URLSearchParams): { excluded?: string[]; filter?: string } {
  const excluded = query.getAll("excluded").filter((id) => id !== "");
  const filter = query.get("filter") ?? undefined;
  return {
    ...(excluded.length === 0 ? {} : { excluded }),
    ...(filter === undefined ? {} : { filter }),
  };
}

function refuseParameter(query: URLSearchParams, name: string, what: string): void {
  if (query.has(name)) throw new AdminError(400, "bad_request", `${what} takes no '${name}'`);
}

/** `reason` and `excluded` from the query, or from a JSON body `{ "reason", "excluded" }`. */
async function closeOptions(
  request: AdminRequest,
  takesExcluded: boolean,
): Promise<{ reason?: string; excluded?: string[] }> {
  const body = await request.readBody(64 * 1024);
  let fromBody: { reason?: unknown; excluded?: unknown } = {};
  if (body.byteLength > 0) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(body).toString("utf8"));
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
      fromBody = parsed;
    } catch {
      throw new AdminError(400, "bad_request", 'the body must be JSON: {"reason"?, "excluded"?}');
    }
  }
  const reason = request.query.get("reason") ?? fromBody.reason;
  if (reason !== undefined && typeof reason !== "string") {
    throw new AdminError(400, "bad_request", "'reason' must be a string");
  }
  const listed = fromBody.excluded ?? [];
  if (!Array.isArray(listed) || !listed.every((id) => typeof id === "string")) {
    throw new AdminError(400, "bad_request", "'excluded' must be a list of connection ids");
  }
  const excluded = [...request.query.getAll("excluded"), ...listed].filter((id) => id !== "");
  if (!takesExcluded && excluded.length > 0) {
    throw new AdminError(400, "bad_request", "closing one connection takes no 'excluded'");
  }
  return {
    ...(reason === undefined ? {} : { reason }),
    ...(excluded.length === 0 ? {} : { excluded }),
  };
}

function permissionOf(value: string): Permission {
  const permission = PERMISSIONS.find((known) => known === value);
  if (permission === undefined) {
    throw new AdminError(
      400,
      "bad_request",
      `permissions are ${PERMISSIONS.join(" and ")}; '${value.slice(0, 64)}' is not one`,
    );
  }
  return permission;
}

function connectionNotFound(): AdminError {
  return new AdminError(404, "not_found", "the service has no such connection");
}
