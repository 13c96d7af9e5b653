import { odata, TableClient } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, inject } from "vitest";
import { lazyTableClient } from "../../shared/state/createTableClient.js";
import { Keys } from "../../shared/state/keys.js";
import { TableStateStore } from "../../shared/state/tableStateStore.js";

/**
 * Interleavings forced at exact points, so the ordering guarantees are proven deterministically
 * rather than by racing two requests and hoping they overlap.
 */
describe("TableStateStore ordering", () => {
  const hub = "chat";
  const table = `S${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const connectionString = inject("tableConnectionString");
  const plain = new TableStateStore(lazyTableClient(connectionString, table));
  let raw: TableClient;
  beforeAll(async () => {
    raw = TableClient.fromConnectionString(connectionString, table, {
      allowInsecureConnection: true,
    });
    await raw.createTable();
  });

  /** A store whose client runs `before` once, just before the first upsert into a partition kind. */
  const storeInterruptedAt = (prefix: string, before: () => Promise<void>) => {
    let fired = false;
    const client = new Proxy(raw, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== "upsertEntity" || typeof value !== "function") return value;
        return async (entity: { partitionKey: string }, mode: unknown) => {
          if (!fired && entity.partitionKey.startsWith(prefix)) {
            fired = true;
            await before();
          }
          return await (value as (e: unknown, m: unknown) => Promise<unknown>).call(
            target,
            entity,
            mode,
          );
        };
      },
    });
    return new TableStateStore(async () => await Promise.resolve(client));
  };

  const partitionRows = async (partitionKey: string) => {
    const rows = [];
    for await (const row of raw.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    }))
      rows.push(row);
    return rows;
  };

  it.each([
    ["the user index row", "u."],
    ["the group membership rows", "g."],
  ])(
    "When disconnected runs just before connected writes %s, then nothing live is left",
    async (_, prefix) => {
      const connectionId = randomUUID();
      const userId = `user-${randomUUID()}`;
      const store = storeInterruptedAt(
        prefix,
        async () => await plain.removeConnection(hub, connectionId, userId),
      );
      const result = await store.addConnection({
        hub,
        connectionId,
        userId,
        groups: ["g1", "g2"],
        roles: [],
        subprotocol: undefined,
        connectedAt: new Date(),
      });
      expect(result).toBe("disconnected-earlier");
      const { partitionKey, rowKey } = Keys.connection(hub, connectionId);
      expect((await raw.getEntity(partitionKey, rowKey)).state).toBe("gone");
      expect(await partitionRows(Keys.connectionsOfUser(hub, userId))).toEqual([]);
      expect(await plain.isMember(hub, "g1", connectionId)).toBe(false);
      expect(await plain.isMember(hub, "g2", connectionId)).toBe(false);
      expect(await partitionRows(Keys.groupsOfConnection(hub, connectionId))).toEqual([]);
    },
  );

  it("When disconnected runs just before a join writes its membership, then the join is undone", async () => {
    const connectionId = randomUUID();
    await plain.addConnection({
      hub,
      connectionId,
      userId: "u",
      groups: [],
      roles: [],
      subprotocol: undefined,
      connectedAt: new Date(),
    });
    const store = storeInterruptedAt(
      "g.",
      async () => await plain.removeConnection(hub, connectionId, "u"),
    );
    expect(await store.addMembership(hub, connectionId, "u", "room")).toBe(false);
    expect(await plain.isMember(hub, "room", connectionId)).toBe(false);
    expect(await partitionRows(Keys.groupsOfConnection(hub, connectionId))).toEqual([]);
  });
});
