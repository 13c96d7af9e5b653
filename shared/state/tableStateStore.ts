import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import { statusOf } from "../errors/statusOf.js";
import { Keys } from "./keys.js";
import type {
  ConnectionGroup,
  ConnectionRecord,
  GroupMembers,
  Membership,
  OpenConnectionResult,
  StateStore,
  StoredConnection,
} from "./stateStore.js";

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
  joinEventId: string;
}

interface SlotEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  userId: string;
  connectionId: string;
}

/** A slot whose connection was never recorded this long after it was taken was left by a failed connect. */
const ABANDONED_SLOT_MS = 60_000;

/** Most rows `listGroupMembers` reads, whatever the number of distinct users found. */
const MAX_MEMBER_ROWS = 10_000;

/** The state store on Azure Table Storage (Azurite locally): one table, partitions per access pattern. */
export class TableStateStore implements StateStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  async openConnection(
    record: ConnectionRecord,
    maxPerUser: number,
  ): Promise<OpenConnectionResult> {
    const client = await this.table();
    const { hub, connectionId, userId } = record;
    const slot =
      maxPerUser > 0
        ? await this.reserveSlot(client, hub, userId, connectionId, maxPerUser)
        : undefined;
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
    try {
      await client.createEntity(entity);
    } catch (error) {
      const existing =
        statusOf(error) === 409 ? await this.readConnection(client, hub, connectionId) : undefined;
      // A retried connect finds its own row (and its own slot); anything else is refused.
      const outcome =
        existing === undefined
          ? undefined
          : existing.state === "gone"
            ? "gone"
            : existing.userId !== userId
              ? "taken"
              : "opened";
      if (outcome !== "opened" && slot !== undefined) {
        // Best effort: a slot left here is freed by the next connect that finds them all held.
        await this.releaseSlot(client, hub, userId, slot, connectionId).catch(() => undefined);
      }
      if (outcome === undefined) throw error;
      if (outcome !== "opened") return outcome;
    }
    const member: Membership = { userId, roles: record.roles };
    try {
      await Promise.all(
        record.groups.map(
          async (group) =>
            await this.writeMembership(client, hub, connectionId, member, group, "connect"),
        ),
      );
    } catch (error) {
      // The connect fails, so the service will not connect the client: undo what was written.
      await this.removeConnection(hub, connectionId, userId).catch(() => undefined);
      throw error;
    }
    return "opened";
  }

  async getConnection(hub: string, connectionId: string): Promise<StoredConnection | undefined> {
    const row = await this.readConnection(await this.table(), hub, connectionId);
    if (row === undefined) return undefined;
    return { state: row.state, userId: row.userId ?? "", roles: parseList(row.roles) };
  }

  async removeConnection(
    hub: string,
    connectionId: string,
    userId: string | undefined,
  ): Promise<void> {
    const client = await this.table();
    const existing = await this.readConnection(client, hub, connectionId);
    // The group rows first: they are what a send and `members` read, so once they are gone no
    // event of this connection reaches a group, even if the rest of this fails.
    await this.revokeGroupRows(client, hub, connectionId);
    const marker: Partial<ConnectionEntity> & { partitionKey: string; rowKey: string } = {
      ...Keys.connection(hub, connectionId),
      state: "gone",
      hub: hub.toLowerCase(),
      connectionId,
      goneAt: new Date(),
    };
    await client.upsertEntity(marker, "Merge");
    // After the marker, again: a join that wrote its rows before the marker is swept here, and
    // one that writes them later sees the marker and takes them back itself.
    await this.removeArtifacts(
      client,
      hub,
      connectionId,
      existing?.userId ?? userId,
      existing?.slot,
    );
  }

  async getMembership(
    hub: string,
    group: string,
    connectionId: string,
  ): Promise<Membership | undefined> {
    const { partitionKey, rowKey } = Keys.groupMember(hub, group, connectionId);
    const row = await readOrUndefined<MemberEntity>(await this.table(), partitionKey, rowKey);
    return row === undefined ? undefined : { userId: row.userId, roles: parseList(row.roles) };
  }

  async listConnectionGroups(
    hub: string,
    connectionId: string,
    upTo: number,
  ): Promise<ConnectionGroup[]> {
    const client = await this.table();
    const rows = client.listEntities<ConnectionGroupEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
        select: ["group", "state", "joinEventId"],
      },
    });
    const groups: ConnectionGroup[] = [];
    for await (const page of rows.byPage({ maxPageSize: Math.max(1, Math.min(upTo, 1000)) })) {
      for (const row of page) {
        groups.push({
          group: row.group,
          state: row.state === "left" ? "left" : "member",
          joinEventId: row.joinEventId,
        });
        if (groups.length >= upTo) return groups;
      }
    }
    return groups;
  }

  async addMembership(
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinEventId: string,
  ): Promise<boolean> {
    const client = await this.table();
    await this.writeMembership(client, hub, connectionId, member, group, joinEventId);
    // A disconnect recorded meanwhile could not see these rows: take them back.
    if ((await this.readConnection(client, hub, connectionId))?.state === "live") return true;
    await this.deleteMembershipRows(client, hub, connectionId, group);
    return false;
  }

  async removeMembership(hub: string, connectionId: string, group: string): Promise<void> {
    const client = await this.table();
    // The group row first: once it is gone the connection no longer counts as a member.
    const member = Keys.groupMember(hub, group, connectionId);
    await deleteIfPresent(client, member.partitionKey, member.rowKey);
    try {
      await client.updateEntity(
        { ...Keys.connectionGroup(hub, connectionId, group), state: "left" },
        "Merge",
      );
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async forgetLeftGroups(
    hub: string,
    connectionId: string,
    groups: readonly string[],
  ): Promise<void> {
    const client = await this.table();
    await Promise.all(
      groups.map(async (group) => {
        const { partitionKey, rowKey } = Keys.connectionGroup(hub, connectionId, group);
        const row = await readOrUndefined<ConnectionGroupEntity>(client, partitionKey, rowKey);
        // Only while it is still a tombstone: a join since the listing made it a membership.
        if (row?.state !== "left") return;
        await deleteIfPresent(client, partitionKey, rowKey, row.etag);
      }),
    );
  }

  async deleteMembership(hub: string, connectionId: string, group: string): Promise<void> {
    await this.deleteMembershipRows(await this.table(), hub, connectionId, group);
  }

  async listGroupMembers(hub: string, group: string, maxUsers: number): Promise<GroupMembers> {
    const client = await this.table();
    const rows = client.listEntities<MemberEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${Keys.membersOfGroup(hub, group)}`,
        select: ["userId"],
      },
    });
    const users = new Set<string>();
    let read = 0;
    for await (const row of rows) {
      if (!users.has(row.userId)) {
        if (users.size >= maxUsers) return { users: [...users], truncated: true };
        users.add(row.userId);
      }
      if (++read >= MAX_MEMBER_ROWS) return { users: [...users], truncated: true };
    }
    return { users: [...users], truncated: false };
  }

  async *listLiveConnections(
    hub: string,
    connectedBefore: Date,
  ): AsyncIterable<{ connectionId: string; userId: string }[]> {
    const client = await this.table();
    // Shards in a different order each run, so a run cut short still reaches every shard in time.
    const shards = Keys.connectionShards(hub).sort(() => Math.random() - 0.5);
    for (const shard of shards) {
      const rows = client.listEntities<ConnectionEntity>({
        queryOptions: {
          filter: odata`PartitionKey eq ${shard} and state eq 'live' and connectedAt lt ${connectedBefore}`,
          select: ["connectionId", "userId"],
        },
      });
      for await (const page of rows.byPage({ maxPageSize: 100 })) {
        yield page.map((row) => ({ connectionId: row.connectionId, userId: row.userId ?? "" }));
      }
    }
  }

  async purgeGoneConnections(hub: string, goneBefore: Date, limit: number): Promise<number> {
    const client = await this.table();
    let purged = 0;
    for (const shard of Keys.connectionShards(hub)) {
      const rows = client.listEntities<ConnectionEntity>({
        queryOptions: {
          filter: odata`PartitionKey eq ${shard} and state eq 'gone' and goneAt lt ${goneBefore}`,
          select: ["PartitionKey", "RowKey", "connectionId", "userId", "slot"],
        },
      });
      for await (const row of rows) {
        // A disconnect that failed half way left these behind; the marker is their last pointer.
        await this.removeArtifacts(client, hub, row.connectionId, row.userId, row.slot);
        await deleteIfPresent(client, row.partitionKey, row.rowKey);
        if (++purged >= limit) return purged;
      }
    }
    return purged;
  }

  /**
   * Takes the lowest free slot of the user with a conditional insert (a retried connect finds the
   * slot it took before); null when all `limit` slots are held. When they all are, slots whose
   * connection is recorded as gone, or was never recorded although the slot is older than a
   * connect takes, are freed and taken: what a connect or disconnect that failed half way left.
   */
  private async reserveSlot(
    client: TableClient,
    hub: string,
    userId: string,
    connectionId: string,
    limit: number,
  ): Promise<number | null> {
    const held = new Map<number, TableEntityResult<SlotEntity>>();
    const rows = client.listEntities<SlotEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${Keys.slotsOfUser(hub, userId)}` },
    });
    for await (const row of rows) {
      const slot = Number(row.rowKey);
      if (!Number.isInteger(slot)) continue;
      if (row.connectionId === connectionId) return slot;
      held.set(slot, row);
    }
    for (let slot = 0; slot < limit; slot++) {
      if (!held.has(slot) && (await this.takeSlot(client, hub, userId, connectionId, slot))) {
        return slot;
      }
    }
    for (const [slot, row] of held) {
      if (slot >= limit || !(await this.isAbandoned(client, hub, row))) continue;
      await deleteIfPresent(client, row.partitionKey, row.rowKey, row.etag);
      if (await this.takeSlot(client, hub, userId, connectionId, slot)) return slot;
    }
    return null;
  }

  /** A conditional insert of one slot row; false when another connection holds it. */
  private async takeSlot(
    client: TableClient,
    hub: string,
    userId: string,
    connectionId: string,
    slot: number,
  ): Promise<boolean> {
    try {
      await client.createEntity<SlotEntity>({
        ...Keys.userSlot(hub, userId, slot),
        hub: hub.toLowerCase(),
        userId,
        connectionId,
      });
      return true;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      return false;
    }
  }

  private async isAbandoned(
    client: TableClient,
    hub: string,
    slot: TableEntityResult<SlotEntity>,
  ): Promise<boolean> {
    const holder = await this.readConnection(client, hub, slot.connectionId);
    if (holder !== undefined) return holder.state === "gone";
    const takenAt = slot.timestamp === undefined ? Date.now() : Date.parse(slot.timestamp);
    return Date.now() - takenAt > ABANDONED_SLOT_MS;
  }

  /** Frees a slot, but only while it is still held by this connection. */
  private async releaseSlot(
    client: TableClient,
    hub: string,
    userId: string,
    slot: number,
    connectionId: string,
  ): Promise<void> {
    const { partitionKey, rowKey } = Keys.userSlot(hub, userId, slot);
    const row = await readOrUndefined<SlotEntity>(client, partitionKey, rowKey);
    if (row?.connectionId !== connectionId) return;
    await deleteIfPresent(client, partitionKey, rowKey, row.etag);
  }

  private async writeMembership(
    client: TableClient,
    hub: string,
    connectionId: string,
    member: Membership,
    group: string,
    joinEventId: string,
  ): Promise<void> {
    const common = { hub: hub.toLowerCase(), group, connectionId };
    // The index row first, so a disconnect that lists it always finds the group row too.
    await client.upsertEntity<ConnectionGroupEntity>(
      {
        ...Keys.connectionGroup(hub, connectionId, group),
        ...common,
        state: "member",
        joinEventId,
      },
      "Replace",
    );
    await client.upsertEntity<MemberEntity>(
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

  private async deleteMembershipRows(
    client: TableClient,
    hub: string,
    connectionId: string,
    group: string,
  ): Promise<void> {
    const member = Keys.groupMember(hub, group, connectionId);
    await deleteIfPresent(client, member.partitionKey, member.rowKey);
    const index = Keys.connectionGroup(hub, connectionId, group);
    await deleteIfPresent(client, index.partitionKey, index.rowKey);
  }

  /** Deletes the group rows of every group the connection's index lists: O(its groups). */
  private async revokeGroupRows(
    client: TableClient,
    hub: string,
    connectionId: string,
  ): Promise<void> {
    const groups = await this.indexedGroups(client, hub, connectionId);
    await Promise.all(
      groups.map(async (group) => {
        const { partitionKey, rowKey } = Keys.groupMember(hub, group, connectionId);
        await deleteIfPresent(client, partitionKey, rowKey);
      }),
    );
  }

  private async indexedGroups(
    client: TableClient,
    hub: string,
    connectionId: string,
  ): Promise<string[]> {
    const rows = client.listEntities<ConnectionGroupEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
        select: ["group"],
      },
    });
    const groups: string[] = [];
    for await (const row of rows) groups.push(row.group);
    return groups;
  }

  /** Removes a connection's slot and every membership: O(its groups). */
  private async removeArtifacts(
    client: TableClient,
    hub: string,
    connectionId: string,
    userId: string | undefined,
    slot: number | undefined,
  ): Promise<void> {
    if (userId !== undefined && slot !== undefined) {
      await this.releaseSlot(client, hub, userId, slot, connectionId);
    }
    const rows = client.listEntities<ConnectionGroupEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${Keys.groupsOfConnection(hub, connectionId)}`,
        select: ["group"],
      },
    });
    const groups: string[] = [];
    for await (const row of rows) groups.push(row.group);
    await Promise.all(
      groups.map(
        async (group) => await this.deleteMembershipRows(client, hub, connectionId, group),
      ),
    );
  }

  private async readConnection(
    client: TableClient,
    hub: string,
    connectionId: string,
  ): Promise<TableEntityResult<ConnectionEntity> | undefined> {
    const { partitionKey, rowKey } = Keys.connection(hub, connectionId);
    return await readOrUndefined<ConnectionEntity>(client, partitionKey, rowKey);
  }
}

async function readOrUndefined<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<T> | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Deletes a row (only at `etag`, when given); a row already gone or changed is left be. */
async function deleteIfPresent(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  etag?: string,
): Promise<void> {
  try {
    await client.deleteEntity(partitionKey, rowKey, etag === undefined ? {} : { etag });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && !(etag !== undefined && status === 412)) throw error;
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
