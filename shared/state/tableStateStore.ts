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
        await this.releaseSlot(client, hub, userId, slot, connectionId).catch(() => undefined);
      }
      if (outcome === undefined) throw error;
      if (outcome !== "opened") return outcome;
    }
    const member: Membership = { userId, roles: record.roles };
    await Promise.all(
      record.groups.map(
        async (group) =>
          await this.writeMembership(client, hub, connectionId, member, group, "connect"),
      ),
    );
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
    const marker: Partial<ConnectionEntity> & { partitionKey: string; rowKey: string } = {
      ...Keys.connection(hub, connectionId),
      state: "gone",
      hub: hub.toLowerCase(),
      connectionId,
      goneAt: new Date(),
    };
    // The marker first: from here on no event of this connection is taken as live.
    await client.upsertEntity(marker, "Merge");
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
   * slot it took before); null when all `limit` slots are held.
   */
  private async reserveSlot(
    client: TableClient,
    hub: string,
    userId: string,
    connectionId: string,
    limit: number,
  ): Promise<number | null> {
    const taken = new Set<number>();
    const rows = client.listEntities<SlotEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${Keys.slotsOfUser(hub, userId)}`,
        select: ["RowKey", "connectionId"],
      },
    });
    for await (const row of rows) {
      const slot = Number(row.rowKey);
      if (row.connectionId === connectionId) return slot;
      taken.add(slot);
    }
    for (let slot = 0; slot < limit; slot++) {
      if (taken.has(slot)) continue;
      try {
        await client.createEntity<SlotEntity>({
          ...Keys.userSlot(hub, userId, slot),
          hub: hub.toLowerCase(),
          userId,
          connectionId,
        });
        return slot;
      } catch (error) {
        // Taken by a concurrent connect since the list: try the next one.
        if (statusOf(error) !== 409) throw error;
      }
    }
    return null;
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
