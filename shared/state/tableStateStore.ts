import { randomUUID } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import type { GroupPattern } from "../authorization/groupPattern.js";
import { DependencyError } from "../errors.js";
import { Keys } from "./keys.js";
import type {
  ConnectionGroup,
  ConnectionRecord,
  EventStamp,
  GroupMemberCounts,
  GroupMembers,
  Membership,
  OpenedConnection,
  PresenceChange,
  SendClaim,
  StateStore,
  StoredConnection,
  SweepOptions,
  SweepReport,
} from "./stateStore.js";
import type { TableAccess } from "./tableAccess.js";

interface ConnectionEntity {
  partitionKey: string;
  rowKey: string;
  state: "live" | "gone";
  hub: string;
  connectionId: string;
  userId?: string;
  roles?: string;
  groups?: string;
  subprotocol?: string;
  /** The user's connection slot this connection holds, when a per-user limit applies. */
  slot?: number;
  connectedAt?: Date;
  goneAt?: Date;
}

/** A row of a group's partition (`g.`): the membership a send checks, with who holds it. */
interface MemberEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  group: string;
  connectionId: string;
  userId: string;
  roles: string;
  joinedAt: Date;
}

/** A row of a connection's group index (`m.`). */
interface ConnectionGroupEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  group: string;
  connectionId: string;
  state: "member" | "left";
  /** Absent on a tombstone whose leave came before any join. */
  joinEventId?: string;
  joinEventTime?: string;
  leaveEventId?: string;
  leaveEventTime?: string;
}

interface SlotEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  userId: string;
  connectionId: string;
}

/** A row of a user's connection index (`i.`). */
interface UserConnectionEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  userId: string;
  connectionId: string;
}

/** A row of a presence group's partition (`p.`): one user and its connections in the group. */
interface PresenceEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  group: string;
  userId: string;
  /** JSON list of connection ids. */
  connections: string;
}

interface SendClaimEntity {
  partitionKey: string;
  rowKey: string;
  state: "pending" | "sent";
  messageId: string;
  claimedAt: Date;
  /** Which attempt wrote the claim: its own insert, retried by the SDK, is not another's. */
  attempt: string;
}

/** A slot whose connection was never recorded this long after it was taken was left by a failed connect. */
const ABANDONED_SLOT_MS = 60_000;

/** Most rows `listGroupMembers` and `listGroupMemberCounts` read, whatever the users found. */
const MAX_MEMBER_ROWS = 10_000;

/**
 * Most connections of one user a presence row lists (a Table string property holds 32K
 * characters); a connection beyond them joins the group without being listed.
 */
const MAX_PRESENCE_CONNECTIONS = 200;
const MAX_PRESENCE_CHARS = 30_000;

/** Reads and conditional writes of one presence row before its update gives up (as a 500). */
const PRESENCE_ATTEMPTS = 5;

/** The state store on Azure Table Storage (Azurite locally): one table, partitions per access pattern. */
export class TableStateStore implements StateStore {
  constructor(
    private readonly table: TableAccess,
    /** `SWITCHBOARD_PRESENCE_GROUPS`. */
    private readonly presenceGroups: readonly GroupPattern[] = [],
  ) {}

  withSignal(signal: AbortSignal): StateStore {
    return new TableStateStore(this.table.withSignal(signal), this.presenceGroups);
  }

  isPresenceGroup(group: string): boolean {
    // The setting refuses `{userId}`, so the user a pattern is checked for makes no difference.
    return this.presenceGroups.some((pattern) => pattern.matches(group, ""));
  }

  async openConnection(record: ConnectionRecord, maxPerUser: number): Promise<OpenedConnection> {
    const { hub, connectionId, userId } = record;
    const slot =
      maxPerUser > 0 ? await this.reserveSlot(hub, userId, connectionId, maxPerUser) : undefined;
    if (slot === null) return { outcome: "limit-reached", presence: [] };
    const entity: ConnectionEntity = {
      ...Keys.connection(hub, connectionId),
      state: "live",
      hub: hub.toLowerCase(),
      connectionId,
      userId,
      roles: JSON.stringify(record.roles),
      groups: JSON.stringify(record.groups),
      subprotocol: record.subprotocol,
      ...(slot === undefined ? {} : { slot }),
      connectedAt: record.connectedAt,
    };
    let created: boolean;
    try {
      created = await this.table.create(entity);
    } catch (error) {
      await this.releaseQuietly(hub, userId, slot, connectionId);
      throw error;
    }
    if (!created) {
      // A retried connect finds its own row (and its own slot); anything else is refused.
      const existing = await this.readConnection(hub, connectionId);
      const outcome =
        existing === undefined || existing.state === "gone"
          ? "gone"
          : existing.userId !== userId
            ? "taken"
            : "opened";
      if (outcome !== "opened") {
        await this.releaseQuietly(hub, userId, slot, connectionId);
        return { outcome, presence: [] };
      }
    }
    const member: Membership = { userId, roles: record.roles };
    let presence: (PresenceChange | undefined)[];
    try {
      // After the connection row, so the sweep never finds this row without it.
      await this.table.upsert<Omit<UserConnectionEntity, "partitionKey" | "rowKey">>(
        {
          ...Keys.userConnection(hub, userId, connectionId),
          hub: hub.toLowerCase(),
          userId,
          connectionId,
        },
        "Replace",
      );
      // Every group's writes end before the outcome is known, so an undo never runs beside them.
      const settled = await Promise.allSettled(
        record.groups.map(
          async (group) =>
            await this.addMembership(hub, connectionId, member, group, {
              id: "connect",
              time: undefined,
            }),
        ),
      );
      const failed = settled.find((result) => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      presence = settled.map((result) =>
        result.status === "fulfilled" ? result.value : undefined,
      );
    } catch (error) {
      // The connect fails, so the service will not connect the client: undo what was written
      // (what this cannot undo, the reconciler's sweep removes). The presence it changed was
      // never announced, so neither is its undo.
      await this.removeConnection(hub, connectionId, userId).catch(() => undefined);
      throw error;
    }
    return { outcome: "opened", presence: presence.filter((change) => change !== undefined) };
  }

  async getConnection(hub: string, connectionId: string): Promise<StoredConnection | undefined> {
    const row = await this.readConnection(hub, connectionId);
    if (row === undefined) return undefined;
    return { state: row.state, userId: row.userId ?? "", roles: parseList(row.roles) };
  }

  async removeConnection(
    hub: string,
    connectionId: string,
    userId: string | undefined,
  ): Promise<PresenceChange[]> {
    const existing = await this.readConnection(hub, connectionId);
    const owner = existing?.userId ?? userId;
    // The group rows first: they are what a send and `members` read, so once they are gone no
    // event of this connection reaches a group, even if the rest of this fails. The user's index
    // row stays until the purge of the marker: a listing of the user's connections reads each
    // one's state, so the disconnect costs no round trip for it.
    const groups = await this.revokeGroupRows(hub, connectionId);
    const marker: Partial<ConnectionEntity> & { partitionKey: string; rowKey: string } = {
      ...Keys.connection(hub, connectionId),
      state: "gone",
      hub: hub.toLowerCase(),
      connectionId,
      goneAt: new Date(),
    };
    await this.table.upsert(marker, "Merge");
    if (owner !== undefined && existing?.slot !== undefined) {
      await this.releaseSlot(hub, owner, existing.slot, connectionId);
    }
    // The index rows, in one transaction (they share the connection's partition). A join that
    // writes its rows after the listing is refused by the service (the connection has closed)
    // and takes them back itself; what that misses is left to the purge of this marker and to
    // the reconciler's sweep, which remove every row of a connection that is not live.
    await this.table.deleteMany(
      Keys.groupsOfConnection(hub, connectionId),
      groups.map((group) => Keys.connectionGroup(hub, connectionId, group).rowKey),
    );
    // Presence last: a retried disconnect no longer lists these groups, so a presence row this
    // fails to update names a connection that is gone, and the reconciler's sweep repairs it
    // (with its notice) rather than a retry that could not tell what was announced.
    if (owner === undefined) return [];
    const changes = await Promise.all(
      groups
        .filter((group) => this.isPresenceGroup(group))
        .map(async (group) => await this.leavePresence(hub, group, owner, [connectionId])),
    );
    return changes.filter((change) => change !== undefined);
  }

  async listUserConnections(hub: string, userId: string, limit: number): Promise<string[]> {
    const rows = await this.table.rows<UserConnectionEntity>(
      odata`PartitionKey eq ${Keys.connectionsOfUser(hub, userId)}`,
      { select: ["connectionId"], limit },
    );
    // A disconnect leaves its index row to the purge: only connections still live count.
    const live = await Promise.all(
      rows.map(async ({ connectionId }) => {
        const row = await this.readConnection(hub, connectionId);
        return row?.state === "live" && row.userId === userId ? connectionId : undefined;
      }),
    );
    return live.filter((connectionId) => connectionId !== undefined);
  }

  async getConnectionGroups(hub: string, connectionId: string): Promise<string[]> {
    const rows = await this.table.rows<ConnectionGroupEntity>(
      odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
      { select: ["group", "state"] },
    );
    return rows.filter((row) => row.state !== "left").map((row) => row.group);
  }

  async getMembership(
    hub: string,
    group: string,
    connectionId: string,
  ): Promise<Membership | undefined> {
    const { partitionKey, rowKey } = Keys.groupMember(hub, group, connectionId);
    const row = await this.table.get<MemberEntity>(partitionKey, rowKey);
    return row === undefined ? undefined : { userId: row.userId, roles: parseList(row.roles) };
  }

  async listConnectionGroups(
    hub: string,
    connectionId: string,
    upTo: number,
  ): Promise<ConnectionGroup[]> {
    const rows = await this.table.rows<ConnectionGroupEntity>(
      odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
      {
        select: [
          "group",
          "state",
          "joinEventId",
          "joinEventTime",
          "leaveEventId",
          "leaveEventTime",
        ],
        limit: upTo,
      },
    );
    return rows.map((row) => ({
      group: row.group,
      state: row.state === "left" ? "left" : "member",
      joinedBy: { id: row.joinEventId ?? "", time: row.joinEventTime },
      leftBy:
        row.leaveEventId === undefined
          ? undefined
          : { id: row.leaveEventId, time: row.leaveEventTime },
    }));
  }

  async addMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinedBy: EventStamp,
  ): Promise<PresenceChange | undefined> {
    await this.writeMembership(hub, connectionId, member, group, joinedBy);
    if (!this.isPresenceGroup(group)) return undefined;
    return await this.updatePresence(hub, group, member.userId, (listed) =>
      withConnection(listed, connectionId),
    );
  }

  async removeMembership(
    hub: string,
    connectionId: string,
    group: string,
    leftBy: EventStamp,
    options: { joinedBy?: EventStamp; markIfAbsent?: boolean; userId?: string } = {},
  ): Promise<PresenceChange | undefined> {
    // The group row first: once it is gone the connection no longer counts as a member.
    const member = Keys.groupMember(hub, group, connectionId);
    await this.table.delete(member.partitionKey, member.rowKey);
    const { joinedBy } = options;
    const tombstone = {
      ...Keys.connectionGroup(hub, connectionId, group),
      hub: hub.toLowerCase(),
      group,
      connectionId,
      state: "left",
      leaveEventId: leftBy.id,
      ...(leftBy.time === undefined ? {} : { leaveEventTime: leftBy.time }),
      ...(joinedBy === undefined
        ? {}
        : {
            joinEventId: joinedBy.id,
            ...(joinedBy.time === undefined ? {} : { joinEventTime: joinedBy.time }),
          }),
    };
    if (options.markIfAbsent === true) await this.table.upsert(tombstone, "Merge");
    else await this.table.update(tombstone, "Merge");
    return await this.leavePresenceOf(hub, group, connectionId, options.userId);
  }

  async forgetLeftGroups(
    hub: string,
    connectionId: string,
    groups: readonly string[],
  ): Promise<void> {
    await Promise.all(
      groups.map(async (group) => {
        const { partitionKey, rowKey } = Keys.connectionGroup(hub, connectionId, group);
        const row = await this.table.get<ConnectionGroupEntity>(partitionKey, rowKey);
        // Only while it is still a tombstone: a join since the listing made it a membership.
        if (row?.state === "left") await this.table.delete(partitionKey, rowKey, row.etag);
      }),
    );
  }

  async deleteMembership(
    hub: string,
    connectionId: string,
    group: string,
  ): Promise<PresenceChange | undefined> {
    return await this.dropMembership(hub, connectionId, group, undefined);
  }

  async listGroupMembers(hub: string, group: string, maxUsers: number): Promise<GroupMembers> {
    const users = new Set<string>();
    let read = 0;
    for await (const page of this.table.pages<MemberEntity>(
      odata`PartitionKey eq ${Keys.membersOfGroup(hub, group)}`,
      { select: ["userId"] },
    )) {
      for (const row of page) {
        if (!users.has(row.userId)) {
          if (users.size >= maxUsers) return { users: [...users], truncated: true };
          users.add(row.userId);
        }
        if (++read >= MAX_MEMBER_ROWS) return { users: [...users], truncated: true };
      }
    }
    return { users: [...users], truncated: false };
  }

  async listGroupMemberCounts(
    hub: string,
    group: string,
    maxUsers: number,
  ): Promise<GroupMemberCounts> {
    const counts = new Map<string, number>();
    let truncated = false;
    let read = 0;
    const presence = this.isPresenceGroup(group);
    const pages = presence
      ? this.table.pages<PresenceEntity>(
          odata`PartitionKey eq ${Keys.presenceOfGroup(hub, group)}`,
          { select: ["userId", "connections"] },
        )
      : this.table.pages<MemberEntity>(odata`PartitionKey eq ${Keys.membersOfGroup(hub, group)}`, {
          select: ["userId"],
        });
    reading: for await (const page of pages) {
      for (const row of page) {
        const connections = "connections" in row ? parseList(row.connections).length : 1;
        if (counts.has(row.userId)) {
          counts.set(row.userId, (counts.get(row.userId) ?? 0) + connections);
        } else if (counts.size >= maxUsers) {
          truncated = true;
          // One row per user: the rest are other users. Member rows go on counting those listed.
          if (presence) break reading;
        } else if (connections > 0) {
          counts.set(row.userId, connections);
        }
        if (++read >= MAX_MEMBER_ROWS) {
          truncated = true;
          break reading;
        }
      }
    }
    const members = [...counts].map(([userId, connections]) => ({ userId, connections }));
    return { members, truncated };
  }

  async claimSend(
    hub: string,
    connectionId: string,
    clientId: string,
    messageId: string,
    windowMs: number,
  ): Promise<SendClaim> {
    const keys = Keys.sendClaim(hub, connectionId, clientId);
    const claim: SendClaimEntity = {
      ...keys,
      state: "pending",
      messageId,
      claimedAt: new Date(),
      attempt: randomUUID(),
    };
    for (let tries = 0; tries < 2; tries++) {
      if (await this.table.create(claim)) return { outcome: "claimed" };
      const existing = await this.table.get<SendClaimEntity>(keys.partitionKey, keys.rowKey);
      if (existing === undefined) continue;
      if (existing.attempt === claim.attempt) return { outcome: "claimed" };
      if (Date.now() - existing.claimedAt.getTime() > windowMs) {
        // Older than the window: a new message that reuses the id.
        if (await this.table.update(claim, "Replace", existing.etag)) return { outcome: "claimed" };
        continue;
      }
      return existing.state === "sent"
        ? { outcome: "sent", messageId: existing.messageId }
        : { outcome: "pending", since: existing.claimedAt, etag: existing.etag };
    }
    return { outcome: "pending", since: new Date(), etag: "" };
  }

  async reclaimSend(
    hub: string,
    connectionId: string,
    clientId: string,
    messageId: string,
    etag: string,
  ): Promise<boolean> {
    const claim: SendClaimEntity = {
      ...Keys.sendClaim(hub, connectionId, clientId),
      state: "pending",
      messageId,
      claimedAt: new Date(),
      attempt: randomUUID(),
    };
    return etag !== "" && (await this.table.update(claim, "Replace", etag));
  }

  async confirmSend(hub: string, connectionId: string, clientId: string): Promise<void> {
    await this.table.update(
      { ...Keys.sendClaim(hub, connectionId, clientId), state: "sent" },
      "Merge",
    );
  }

  async releaseSend(hub: string, connectionId: string, clientId: string): Promise<void> {
    const { partitionKey, rowKey } = Keys.sendClaim(hub, connectionId, clientId);
    await this.table.delete(partitionKey, rowKey);
  }

  async *listLiveConnections(
    hub: string,
    connectedBefore: Date,
  ): AsyncIterable<{ connectionId: string; userId: string }[]> {
    // Shards in a different order each run, so a run cut short still reaches every shard in time.
    const shards = Keys.connectionShards(hub).sort(() => Math.random() - 0.5);
    for (const shard of shards) {
      for await (const page of this.table.pages<ConnectionEntity>(
        odata`PartitionKey eq ${shard} and state eq 'live' and connectedAt lt ${connectedBefore}`,
        { select: ["connectionId", "userId"], pageSize: 100 },
      )) {
        yield page.map((row) => ({ connectionId: row.connectionId, userId: row.userId ?? "" }));
      }
    }
  }

  async purgeGoneConnections(
    hub: string,
    goneBefore: Date,
    limit: number,
    stopAt = Number.POSITIVE_INFINITY,
  ): Promise<{ purged: number; complete: boolean; presence: PresenceChange[] }> {
    let purged = 0;
    const presence: PresenceChange[] = [];
    for (const shard of Keys.connectionShards(hub)) {
      for await (const page of this.table.pages<ConnectionEntity>(
        odata`PartitionKey eq ${shard} and state eq 'gone' and goneAt lt ${goneBefore}`,
        { select: ["PartitionKey", "RowKey", "connectionId", "userId", "slot"] },
      )) {
        for (const row of page) {
          if (purged >= limit || Date.now() > stopAt) return { purged, complete: false, presence };
          // A disconnect that failed half way left these behind; the marker is their last pointer.
          presence.push(
            ...(await this.removeArtifacts(hub, row.connectionId, row.userId, row.slot)),
          );
          await this.table.delete(row.partitionKey, row.rowKey);
          purged++;
        }
      }
    }
    return { purged, complete: true, presence };
  }

  async sweepOrphans(hub: string, options: SweepOptions): Promise<SweepReport> {
    const stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
    let scanned = 0;
    let removed = 0;
    const states = new Map<string, "live" | "gone" | "missing">();
    const stateOf = async (connectionId: string) => {
      let state = states.get(connectionId);
      if (state === undefined) {
        state = (await this.readConnection(hub, connectionId))?.state ?? "missing";
        states.set(connectionId, state);
      }
      return state;
    };
    /**
     * One kind's scan, with a budget of its own, so a large kind never starves the next;
     * `repair` answers whether it removed anything.
     */
    const scan = async <T extends object>(
      kind: "g" | "m" | "u" | "i" | "p",
      repair: (row: TableEntityResult<T>) => Promise<boolean>,
    ): Promise<boolean> => {
      const { from, to } = Keys.kindRange(kind, hub);
      let read = 0;
      for await (const page of this.table.pages<T>(
        odata`PartitionKey ge ${from} and PartitionKey lt ${to}`,
        { pageSize: 100 },
      )) {
        for (const row of page) {
          if (read >= options.maxRows || Date.now() > stopAt) return false;
          read++;
          scanned++;
          if (await repair(row)) removed++;
        }
      }
      return true;
    };
    /** A repair that deletes the row when `orphaned` says so. */
    const deleteIf =
      <T extends object>(orphaned: (row: TableEntityResult<T>) => Promise<boolean>) =>
      async (row: TableEntityResult<T>): Promise<boolean> => {
        const { partitionKey, rowKey } = row;
        if (partitionKey === undefined || rowKey === undefined || !(await orphaned(row))) {
          return false;
        }
        await this.table.delete(partitionKey, rowKey, row.etag);
        return true;
      };
    const now = options.now.getTime();
    /**
     * Gone, or not recorded although `row` was last written more than `slotGraceMs` ago: a
     * connect reserves its slot before it records the connection, and a state read earlier in
     * this pass may predate the record.
     */
    const notLive = async (connectionId: string, row: { timestamp?: string }) => {
      const state = await stateOf(connectionId);
      if (state === "gone") return true;
      const writtenAt = row.timestamp === undefined ? now : Date.parse(row.timestamp);
      return state === "missing" && now - writtenAt > options.slotGraceMs;
    };
    const membersDone = await scan<MemberEntity>(
      "g",
      deleteIf(async (row) => (await stateOf(row.connectionId)) !== "live"),
    );
    const indexDone = await scan<ConnectionGroupEntity>(
      "m",
      deleteIf(async (row) => (await stateOf(row.connectionId)) !== "live"),
    );
    const slotsDone = await scan<SlotEntity>(
      "u",
      deleteIf(async (row) => await notLive(row.connectionId, row)),
    );
    const userIndexDone = await scan<UserConnectionEntity>(
      "i",
      deleteIf(async (row) => await notLive(row.connectionId, row)),
    );
    const presence: PresenceChange[] = [];
    const presenceDone = await scan<PresenceEntity>("p", async (row) => {
      const stale: string[] = [];
      for (const connectionId of parseList(row.connections)) {
        if (await notLive(connectionId, row)) stale.push(connectionId);
      }
      if (stale.length === 0) return false;
      const change = await this.leavePresence(hub, row.group, row.userId, stale);
      if (change !== undefined) presence.push(change);
      return true;
    });
    // Send records: only the expired ones are read, and deleted a transaction per 100.
    const { from, to } = Keys.kindRange("s", hub);
    const expiredBefore = new Date(now - options.sendWindowMs);
    let claimsDone = true;
    let claimsRead = 0;
    for await (const page of this.table.pages<SendClaimEntity>(
      odata`PartitionKey ge ${from} and PartitionKey lt ${to} and claimedAt lt ${expiredBefore}`,
      { select: ["PartitionKey", "RowKey"], pageSize: 1000 },
    )) {
      const byPartition = new Map<string, string[]>();
      for (const row of page)
        byPartition.set(row.partitionKey, [
          ...(byPartition.get(row.partitionKey) ?? []),
          row.rowKey,
        ]);
      for (const [partitionKey, rowKeys] of byPartition) {
        await this.table.deleteMany(partitionKey, rowKeys);
      }
      claimsRead += page.length;
      scanned += page.length;
      removed += page.length;
      if (claimsRead >= options.maxRows * 10 || Date.now() > stopAt) {
        claimsDone = false;
        break;
      }
    }
    return {
      scanned,
      removed,
      complete:
        membersDone && indexDone && slotsDone && userIndexDone && presenceDone && claimsDone,
      presence,
    };
  }

  /**
   * Takes the lowest free slot of the user with a conditional insert (a retried connect finds the
   * slot it took before); null when all `limit` slots are held. When they all are, slots whose
   * connection is recorded as gone, or was never recorded although the slot is older than a
   * connect takes, are freed and taken: what a connect or disconnect that failed half way left.
   */
  private async reserveSlot(
    hub: string,
    userId: string,
    connectionId: string,
    limit: number,
  ): Promise<number | null> {
    const held = new Map<number, TableEntityResult<SlotEntity>>();
    for (const row of await this.table.rows<SlotEntity>(
      odata`PartitionKey eq ${Keys.slotsOfUser(hub, userId)}`,
    )) {
      const slot = Number(row.rowKey);
      if (!Number.isInteger(slot)) continue;
      if (row.connectionId === connectionId) return slot;
      held.set(slot, row);
    }
    for (let slot = 0; slot < limit; slot++) {
      if (!held.has(slot) && (await this.takeSlot(hub, userId, connectionId, slot))) return slot;
    }
    for (const [slot, row] of held) {
      if (slot >= limit || !(await this.isAbandoned(hub, row))) continue;
      await this.table.delete(row.partitionKey, row.rowKey, row.etag);
      if (await this.takeSlot(hub, userId, connectionId, slot)) return slot;
    }
    return null;
  }

  /** A conditional insert of one slot row; false when another connection holds it. */
  private async takeSlot(
    hub: string,
    userId: string,
    connectionId: string,
    slot: number,
  ): Promise<boolean> {
    return await this.table.create<SlotEntity>({
      ...Keys.userSlot(hub, userId, slot),
      hub: hub.toLowerCase(),
      userId,
      connectionId,
    });
  }

  private async isAbandoned(hub: string, slot: TableEntityResult<SlotEntity>): Promise<boolean> {
    const holder = await this.readConnection(hub, slot.connectionId);
    if (holder !== undefined) return holder.state === "gone";
    const takenAt = slot.timestamp === undefined ? Date.now() : Date.parse(slot.timestamp);
    return Date.now() - takenAt > ABANDONED_SLOT_MS;
  }

  /** Frees a slot, but only while it is still held by this connection. */
  private async releaseSlot(
    hub: string,
    userId: string,
    slot: number,
    connectionId: string,
  ): Promise<void> {
    const { partitionKey, rowKey } = Keys.userSlot(hub, userId, slot);
    const row = await this.table.get<SlotEntity>(partitionKey, rowKey);
    if (row?.connectionId === connectionId) await this.table.delete(partitionKey, rowKey, row.etag);
  }

  /** Best effort: a slot left here is freed by the next connect that finds them all held. */
  private async releaseQuietly(
    hub: string,
    userId: string,
    slot: number | undefined,
    connectionId: string,
  ): Promise<void> {
    if (slot === undefined) return;
    await this.releaseSlot(hub, userId, slot, connectionId).catch(() => undefined);
  }

  /**
   * Reads the user's presence row of the group and writes `edit` of its connection list back
   * at the row's ETag (an insert for a new row, a delete for an empty list), again from the read
   * when another update came first. The change when the list went from empty to not, or back.
   */
  private async updatePresence(
    hub: string,
    group: string,
    userId: string,
    edit: (listed: readonly string[]) => readonly string[],
  ): Promise<PresenceChange | undefined> {
    const keys = Keys.presence(hub, group, userId);
    for (let attempt = 0; attempt < PRESENCE_ATTEMPTS; attempt++) {
      const row = await this.table.get<PresenceEntity>(keys.partitionKey, keys.rowKey);
      const before = parseList(row?.connections);
      const after = edit(before);
      // Unchanged: a re-delivered event, or a connection already listed or already gone.
      if (after.length === before.length && after.every((id) => before.includes(id))) {
        return undefined;
      }
      const entity: PresenceEntity = {
        ...keys,
        hub: hub.toLowerCase(),
        group,
        userId,
        connections: JSON.stringify(after),
      };
      const written =
        row === undefined
          ? await this.table.create(entity)
          : after.length === 0
            ? await this.table.delete(keys.partitionKey, keys.rowKey, row.etag)
            : await this.table.update(entity, "Replace", row.etag);
      if (!written) continue;
      if (before.length === 0) return { group, userId, state: "online" };
      if (after.length === 0) return { group, userId, state: "offline" };
      return undefined;
    }
    // Every attempt met another update: a failure like any other, so the event is retried.
    throw new DependencyError("table", 412, "refused");
  }

  /** Takes connections out of the user's presence row of the group. */
  private async leavePresence(
    hub: string,
    group: string,
    userId: string,
    connectionIds: readonly string[],
  ): Promise<PresenceChange | undefined> {
    return await this.updatePresence(hub, group, userId, (listed) =>
      listed.filter((id) => !connectionIds.includes(id)),
    );
  }

  /**
   * In a presence group, takes the connection out of its user's presence row: the user as given,
   * else as its connection row records it (a connection no longer recorded is left to the sweep).
   */
  private async leavePresenceOf(
    hub: string,
    group: string,
    connectionId: string,
    userId: string | undefined,
  ): Promise<PresenceChange | undefined> {
    if (!this.isPresenceGroup(group)) return undefined;
    const owner = userId ?? (await this.readConnection(hub, connectionId))?.userId;
    if (owner === undefined) return undefined;
    return await this.leavePresence(hub, group, owner, [connectionId]);
  }

  /** The member row, the index row, then the presence entry. */
  private async dropMembership(
    hub: string,
    connectionId: string,
    group: string,
    userId: string | undefined,
  ): Promise<PresenceChange | undefined> {
    const member = Keys.groupMember(hub, group, connectionId);
    await this.table.delete(member.partitionKey, member.rowKey);
    const index = Keys.connectionGroup(hub, connectionId, group);
    await this.table.delete(index.partitionKey, index.rowKey);
    return await this.leavePresenceOf(hub, group, connectionId, userId);
  }

  private async deleteUserConnection(
    hub: string,
    userId: string,
    connectionId: string,
  ): Promise<void> {
    const { partitionKey, rowKey } = Keys.userConnection(hub, userId, connectionId);
    await this.table.delete(partitionKey, rowKey);
  }

  private async writeMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinedBy: EventStamp,
  ): Promise<void> {
    const common = { hub: hub.toLowerCase(), group, connectionId };
    // The index row first, so a disconnect that lists it always finds the group row too.
    await this.table.upsert<Omit<ConnectionGroupEntity, "partitionKey" | "rowKey">>(
      {
        ...Keys.connectionGroup(hub, connectionId, group),
        ...common,
        state: "member",
        joinEventId: joinedBy.id,
        ...(joinedBy.time === undefined ? {} : { joinEventTime: joinedBy.time }),
      },
      "Replace",
    );
    await this.table.upsert<Omit<MemberEntity, "partitionKey" | "rowKey">>(
      {
        ...Keys.groupMember(hub, group, connectionId),
        ...common,
        userId: member.userId,
        roles: JSON.stringify(member.roles),
        joinedAt: new Date(),
      },
      "Replace",
    );
  }

  /**
   * Deletes the group rows of every group the connection's index lists: O(its groups).
   * Returns those groups.
   */
  private async revokeGroupRows(hub: string, connectionId: string): Promise<string[]> {
    const groups = await this.indexedGroups(hub, connectionId);
    await Promise.all(
      groups.map(async (group) => {
        const { partitionKey, rowKey } = Keys.groupMember(hub, group, connectionId);
        await this.table.delete(partitionKey, rowKey);
      }),
    );
    return groups;
  }

  private async indexedGroups(hub: string, connectionId: string): Promise<string[]> {
    const rows = await this.table.rows<ConnectionGroupEntity>(
      odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
      { select: ["group"] },
    );
    return rows.map((row) => row.group);
  }

  /**
   * Removes a connection's slot, its user index row and every membership with its presence:
   * O(its groups). Returns the presence that changed.
   */
  private async removeArtifacts(
    hub: string,
    connectionId: string,
    userId: string | undefined,
    slot: number | undefined,
  ): Promise<PresenceChange[]> {
    if (userId !== undefined) {
      if (slot !== undefined) await this.releaseSlot(hub, userId, slot, connectionId);
      await this.deleteUserConnection(hub, userId, connectionId);
    }
    const groups = await this.indexedGroups(hub, connectionId);
    const changes = await Promise.all(
      groups.map(async (group) => await this.dropMembership(hub, connectionId, group, userId)),
    );
    return changes.filter((change) => change !== undefined);
  }

  private async readConnection(
    hub: string,
    connectionId: string,
  ): Promise<TableEntityResult<ConnectionEntity> | undefined> {
    const { partitionKey, rowKey } = Keys.connection(hub, connectionId);
    return await this.table.get<ConnectionEntity>(partitionKey, rowKey);
  }
}

/** The list with the connection added, unless listed already or the list is full. */
function withConnection(listed: readonly string[], connectionId: string): readonly string[] {
  if (listed.includes(connectionId) || listed.length >= MAX_PRESENCE_CONNECTIONS) return listed;
  const after = [...listed, connectionId];
  return JSON.stringify(after).length > MAX_PRESENCE_CHARS ? listed : after;
}

function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed)
      ? parsed.filter((item): item is string => typeof item === "string")
      : [];
  } catch {
    return [];
  }
}
