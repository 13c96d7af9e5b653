import { randomUUID } from "node:crypto";
import { odata, type TableEntityResult } from "@azure/data-tables";
import { Keys } from "./keys.js";
import type {
  ConnectionGroup,
  ConnectionRecord,
  EventStamp,
  GroupMembers,
  Membership,
  OpenConnectionResult,
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

/** Most rows `listGroupMembers` reads, whatever the number of distinct users found. */
const MAX_MEMBER_ROWS = 10_000;

/** The state store on Azure Table Storage (Azurite locally): one table, partitions per access pattern. */
export class TableStateStore implements StateStore {
  constructor(private readonly table: TableAccess) {}

  withSignal(signal: AbortSignal): StateStore {
    return new TableStateStore(this.table.withSignal(signal));
  }

  async openConnection(
    record: ConnectionRecord,
    maxPerUser: number,
  ): Promise<OpenConnectionResult> {
    const { hub, connectionId, userId } = record;
    const slot =
      maxPerUser > 0 ? await this.reserveSlot(hub, userId, connectionId, maxPerUser) : undefined;
    if (slot === null) return "limit-reached";
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
        return outcome;
      }
    }
    const member: Membership = { userId, roles: record.roles };
    try {
      await Promise.all(
        record.groups.map(
          async (group) =>
            await this.writeMembership(hub, connectionId, member, group, {
              id: "connect",
              time: undefined,
            }),
        ),
      );
    } catch (error) {
      // The connect fails, so the service will not connect the client: undo what was written
      // (what this cannot undo, the reconciler's sweep removes).
      await this.removeConnection(hub, connectionId, userId).catch(() => undefined);
      throw error;
    }
    return "opened";
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
  ): Promise<void> {
    const existing = await this.readConnection(hub, connectionId);
    // The group rows first: they are what a send and `members` read, so once they are gone no
    // event of this connection reaches a group, even if the rest of this fails.
    const groups = await this.revokeGroupRows(hub, connectionId);
    const marker: Partial<ConnectionEntity> & { partitionKey: string; rowKey: string } = {
      ...Keys.connection(hub, connectionId),
      state: "gone",
      hub: hub.toLowerCase(),
      connectionId,
      goneAt: new Date(),
    };
    await this.table.upsert(marker, "Merge");
    const owner = existing?.userId ?? userId;
    if (owner !== undefined && existing?.slot !== undefined) {
      await this.releaseSlot(hub, owner, existing.slot, connectionId);
    }
    // The index rows, in one transaction (they share the connection's partition). A join that
    // writes its rows after the marker sees it and takes them back itself; one that wrote them
    // between the listing and the marker leaves them to the purge of this marker and to the
    // reconciler's sweep, which remove every row of a connection that is not live.
    await this.table.deleteMany(
      Keys.groupsOfConnection(hub, connectionId),
      groups.map((group) => Keys.connectionGroup(hub, connectionId, group).rowKey),
    );
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
  ): Promise<void> {
    await this.writeMembership(hub, connectionId, member, group, joinedBy);
  }

  async removeMembership(
    hub: string,
    connectionId: string,
    group: string,
    leftBy: EventStamp,
    options: { joinedBy?: EventStamp; markIfAbsent?: boolean } = {},
  ): Promise<void> {
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

  async deleteMembership(hub: string, connectionId: string, group: string): Promise<void> {
    const member = Keys.groupMember(hub, group, connectionId);
    await this.table.delete(member.partitionKey, member.rowKey);
    const index = Keys.connectionGroup(hub, connectionId, group);
    await this.table.delete(index.partitionKey, index.rowKey);
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
  ): Promise<{ purged: number; complete: boolean }> {
    let purged = 0;
    for (const shard of Keys.connectionShards(hub)) {
      for await (const page of this.table.pages<ConnectionEntity>(
        odata`PartitionKey eq ${shard} and state eq 'gone' and goneAt lt ${goneBefore}`,
        { select: ["PartitionKey", "RowKey", "connectionId", "userId", "slot"] },
      )) {
        for (const row of page) {
          if (purged >= limit || Date.now() > stopAt) return { purged, complete: false };
          // A disconnect that failed half way left these behind; the marker is their last pointer.
          await this.removeArtifacts(hub, row.connectionId, row.userId, row.slot);
          await this.table.delete(row.partitionKey, row.rowKey);
          purged++;
        }
      }
    }
    return { purged, complete: true };
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
    /** One kind's scan, with a budget of its own, so a large kind never starves the next. */
    const scan = async <T extends object>(
      kind: "g" | "m" | "u",
      orphaned: (row: TableEntityResult<T>) => boolean | Promise<boolean>,
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
          const { partitionKey, rowKey } = row;
          if (partitionKey !== undefined && rowKey !== undefined && (await orphaned(row))) {
            await this.table.delete(partitionKey, rowKey, row.etag);
            removed++;
          }
        }
      }
      return true;
    };
    const now = options.now.getTime();
    const membersDone = await scan<MemberEntity>(
      "g",
      async (row) => (await stateOf(row.connectionId)) !== "live",
    );
    const indexDone = await scan<ConnectionGroupEntity>(
      "m",
      async (row) => (await stateOf(row.connectionId)) !== "live",
    );
    const slotsDone = await scan<SlotEntity>("u", async (row) => {
      const state = await stateOf(row.connectionId);
      if (state === "gone") return true;
      const takenAt = row.timestamp === undefined ? now : Date.parse(row.timestamp);
      return state === "missing" && now - takenAt > options.slotGraceMs;
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
      complete: membersDone && indexDone && slotsDone && claimsDone,
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

  /** Removes a connection's slot and every membership: O(its groups). */
  private async removeArtifacts(
    hub: string,
    connectionId: string,
    userId: string | undefined,
    slot: number | undefined,
  ): Promise<void> {
    if (userId !== undefined && slot !== undefined) {
      await this.releaseSlot(hub, userId, slot, connectionId);
    }
    const groups = await this.indexedGroups(hub, connectionId);
    await Promise.all(
      groups.map(async (group) => await this.deleteMembership(hub, connectionId, group)),
    );
  }

  private async readConnection(
    hub: string,
    connectionId: string,
  ): Promise<TableEntityResult<ConnectionEntity> | undefined> {
    const { partitionKey, rowKey } = Keys.connection(hub, connectionId);
    return await this.table.get<ConnectionEntity>(partitionKey, rowKey);
  }
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
