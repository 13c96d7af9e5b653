import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { statusOf } from "../errors/statusOf.js";
import { Keys } from "./keys.js";
import type {
  AddConnectionResult,
  ConnectionRecord,
  GroupMember,
  StateStore,
} from "./stateStore.js";

interface ConnectionEntity {
  partitionKey: string;
  rowKey: string;
  state: "live" | "gone";
  hub: string;
  connectionId: string;
  userId?: string;
  groups?: string;
  roles?: string;
  subprotocol?: string;
  connectedAt?: Date;
  lastSeenAt?: Date;
  goneAt?: Date;
}

interface MemberEntity {
  partitionKey: string;
  rowKey: string;
  hub: string;
  group: string;
  connectionId: string;
  userId: string;
  joinedAt: Date;
}

/** The state store on Azure Table Storage (Azurite locally): one table, partitions per access pattern. */
export class TableStateStore implements StateStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  async addConnection(record: ConnectionRecord): Promise<AddConnectionResult> {
    const client = await this.table();
    const { hub, connectionId, userId } = record;
    const entity: ConnectionEntity = {
      ...Keys.connection(hub, connectionId),
      state: "live",
      hub,
      connectionId,
      userId,
      groups: JSON.stringify(record.groups),
      roles: JSON.stringify(record.roles),
      subprotocol: record.subprotocol,
      connectedAt: record.connectedAt,
      lastSeenAt: record.connectedAt,
    };
    try {
      await client.createEntity(entity);
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      // Delivered before, or `disconnected` got here first: never bring a gone connection back.
      const existing = await this.readConnection(client, hub, connectionId);
      if (existing?.state === "gone") return "disconnected-earlier";
    }
    // Upserts below are idempotent, so a retried `connected` also heals a half-finished first try.
    await client.upsertEntity(
      { ...Keys.userConnection(hub, userId, connectionId), hub, userId, connectionId },
      "Replace",
    );
    await Promise.all(
      record.groups.map((group) => this.writeMembership(client, hub, connectionId, userId, group)),
    );
    // A `disconnected` may have run between our writes; if so, undo what it could not see.
    if ((await this.readConnection(client, hub, connectionId))?.state !== "live") {
      await this.removeArtifacts(client, hub, connectionId, userId);
      return "disconnected-earlier";
    }
    return "added";
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
      hub,
      connectionId,
      goneAt: new Date(),
    };
    await client.upsertEntity(marker, "Merge");
    const knownUser = userId ?? existing?.userId;
    await this.removeArtifacts(client, hub, connectionId, knownUser);
  }

  async countUserConnections(hub: string, userId: string, upTo: number): Promise<number> {
    const client = await this.table();
    const rows = client.listEntities({
      queryOptions: {
        filter: inPartition(Keys.connectionsOfUser(hub, userId)),
        select: ["RowKey"],
      },
    });
    let count = 0;
    for await (const page of rows.byPage({ maxPageSize: Math.max(1, Math.min(upTo, 1000)) })) {
      count += page.length;
      if (count >= upTo) break;
    }
    return Math.min(count, upTo);
  }

  async addMembership(
    hub: string,
    connectionId: string,
    userId: string,
    group: string,
  ): Promise<boolean> {
    const client = await this.table();
    await this.writeMembership(client, hub, connectionId, userId, group);
    // No row yet is fine: `connected` is not blocking and may still be on its way. Only a
    // recorded disconnect means the connection is gone; then the membership is taken back.
    if ((await this.readConnection(client, hub, connectionId))?.state !== "gone") return true;
    await this.deleteMembership(client, hub, connectionId, group);
    return false;
  }

  async removeMembership(hub: string, connectionId: string, group: string): Promise<void> {
    await this.deleteMembership(await this.table(), hub, connectionId, group);
  }

  async isMember(hub: string, group: string, connectionId: string): Promise<boolean> {
    const client = await this.table();
    const { partitionKey, rowKey } = Keys.groupMember(hub, group, connectionId);
    return (await readOrUndefined(client, partitionKey, rowKey)) !== undefined;
  }

  async listGroupMembers(hub: string, group: string, limit: number): Promise<GroupMember[]> {
    const client = await this.table();
    const rows = client.listEntities<MemberEntity>({
      queryOptions: {
        filter: inPartition(Keys.membersOfGroup(hub, group)),
        select: ["connectionId", "userId"],
      },
    });
    const members: GroupMember[] = [];
    for await (const row of rows) {
      members.push({ connectionId: row.connectionId, userId: row.userId });
      if (members.length >= limit) break;
    }
    return members;
  }

  async *listLiveConnections(
    hub: string,
    connectedBefore: Date,
  ): AsyncIterable<ConnectionRecord[]> {
    const client = await this.table();
    // Shards in a different order each run, so a run cut short still reaches every shard in time.
    const shards = Keys.connectionShards(hub).sort(() => Math.random() - 0.5);
    for (const shard of shards) {
      const rows = client.listEntities<ConnectionEntity>({
        queryOptions: {
          filter: `${inPartition(shard)} and state eq 'live' and connectedAt lt datetime'${connectedBefore.toISOString()}'`,
        },
      });
      for await (const page of rows.byPage({ maxPageSize: 100 })) {
        yield page.map((row) => toRecord(hub, row));
      }
    }
  }

  async purgeGoneConnections(hub: string, goneBefore: Date, limit: number): Promise<number> {
    const client = await this.table();
    let purged = 0;
    for (const shard of Keys.connectionShards(hub)) {
      const rows = client.listEntities<ConnectionEntity>({
        queryOptions: {
          filter: `${inPartition(shard)} and state eq 'gone' and goneAt lt datetime'${goneBefore.toISOString()}'`,
          select: ["PartitionKey", "RowKey"],
        },
      });
      for await (const row of rows) {
        await deleteIfPresent(client, row.partitionKey, row.rowKey);
        if (++purged >= limit) return purged;
      }
    }
    return purged;
  }

  private async writeMembership(
    client: TableClient,
    hub: string,
    connectionId: string,
    userId: string,
    group: string,
  ): Promise<void> {
    const joinedAt = new Date();
    const fields = { hub, group, connectionId, userId, joinedAt };
    await client.upsertEntity(
      { ...Keys.groupMember(hub, group, connectionId), ...fields },
      "Replace",
    );
    await client.upsertEntity(
      { ...Keys.connectionGroup(hub, connectionId, group), ...fields },
      "Replace",
    );
  }

  private async deleteMembership(
    client: TableClient,
    hub: string,
    connectionId: string,
    group: string,
  ): Promise<void> {
    // The group row first: once it is gone the connection no longer counts as a member.
    const member = Keys.groupMember(hub, group, connectionId);
    await deleteIfPresent(client, member.partitionKey, member.rowKey);
    const index = Keys.connectionGroup(hub, connectionId, group);
    await deleteIfPresent(client, index.partitionKey, index.rowKey);
  }

  /** Removes the user index row and every membership of a connection: O(its groups). */
  private async removeArtifacts(
    client: TableClient,
    hub: string,
    connectionId: string,
    userId: string | undefined,
  ): Promise<void> {
    if (userId !== undefined) {
      const user = Keys.userConnection(hub, userId, connectionId);
      await deleteIfPresent(client, user.partitionKey, user.rowKey);
    }
    const rows = client.listEntities<MemberEntity>({
      queryOptions: {
        filter: inPartition(Keys.groupsOfConnection(hub, connectionId)),
        select: ["group"],
      },
    });
    const groups: string[] = [];
    for await (const row of rows) groups.push(row.group);
    await Promise.all(
      groups.map((group) => this.deleteMembership(client, hub, connectionId, group)),
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

async function deleteIfPresent(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<void> {
  try {
    await client.deleteEntity(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

function toRecord(hub: string, entity: ConnectionEntity): ConnectionRecord {
  return {
    hub,
    connectionId: entity.connectionId,
    userId: entity.userId ?? "",
    groups: parseList(entity.groups),
    roles: parseList(entity.roles),
    subprotocol: entity.subprotocol,
    connectedAt: entity.connectedAt ?? new Date(0),
  };
}

function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed)
    ? parsed.filter((item): item is string => typeof item === "string")
    : [];
}

/** Keys hold only base64url, `.` and `~`, but quote-escaping keeps filters safe whatever changes. */
function inPartition(partitionKey: string): string {
  return `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'`;
}
