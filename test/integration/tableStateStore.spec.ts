import { odata, TableClient } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, inject } from "vitest";
import { GroupPattern } from "../../shared/authorization/groupPattern.js";
import { DependencyError } from "../../shared/errors.js";
import { TableAccess } from "../../shared/state/tableAccess.js";
import { Keys } from "../../shared/state/keys.js";
import type { ConnectionRecord } from "../../shared/state/stateStore.js";
import { TableStateStore } from "../../shared/state/tableStateStore.js";

/**
 * Interleavings forced at exact points, so the ordering guarantees are proven deterministically
 * rather than by racing two requests and hoping they overlap.
 */
describe("TableStateStore ordering", () => {
  const hub = "chat";
  const table = `S${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const connectionString = inject("tableConnectionString");
  const plain = new TableStateStore(
    TableAccess.fromConnectionString(connectionString, table, 5000),
  );
  let raw: TableClient;
  beforeAll(async () => {
    raw = TableClient.fromConnectionString(connectionString, table, {
      allowInsecureConnection: true,
    });
    await raw.createTable();
  });

  /**
   * A store whose client runs `before` once, just before the first call of `method` on a row
   * of the partition kind `prefix`.
   */
  const storeInterruptedAt = (
    method: "upsertEntity" | "createEntity" | "updateEntity",
    prefix: string,
    before: () => Promise<void>,
    presenceGroups: readonly GroupPattern[] = [],
  ) => {
    let fired = false;
    const client = new Proxy(raw, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== method || typeof value !== "function") return value;
        return async (entity: { partitionKey: string }, ...rest: unknown[]) => {
          if (!fired && entity.partitionKey.startsWith(prefix)) {
            fired = true;
            await before();
          }
          return await (value as (...args: unknown[]) => Promise<unknown>).call(
            target,
            entity,
            ...rest,
          );
        };
      },
    });
    return new TableStateStore(
      new TableAccess(async () => await Promise.resolve(client), 5000),
      presenceGroups,
    );
  };

  const partitionRows = async (partitionKey: string) => {
    const rows = [];
    for await (const row of raw.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
    }))
      rows.push(row);
    return rows;
  };

  const record = (userId: string, connectionId = randomUUID()): ConnectionRecord => ({
    hub,
    connectionId,
    userId,
    groups: [],
    roles: [],
    subprotocol: undefined,
    connectedAt: new Date(),
  });

  it.each([
    ["its index row", "m."],
    ["its group row", "g."],
  ])(
    "When disconnected runs just before a join writes %s, then the reconciler's purge and sweep remove what the join wrote",
    async (_, prefix) => {
      const connection = record("u");
      const { connectionId } = connection;
      expect((await plain.openConnection(connection, 0)).outcome).toBe("opened");
      const store = storeInterruptedAt("upsertEntity", prefix, async () => {
        await plain.removeConnection(hub, connectionId, "u");
      });
      const member = { userId: "u", roles: [] };
      await store.addMembership(hub, connectionId, member, "room", { id: "1", time: undefined });
      // Nothing else takes these rows back when the service's refusal of the join is lost too.
      expect(await plain.getMembership(hub, "room", connectionId)).toBeDefined();

      const now = new Date(Date.now() + 60_000);
      expect((await plain.purgeGoneConnections(hub, now, 1000)).complete).toBe(true);
      const sweep = { maxRows: 10_000, slotGraceMs: 0, sendWindowMs: 0, now };
      expect((await plain.sweepOrphans(hub, sweep)).complete).toBe(true);
      expect(await plain.getMembership(hub, "room", connectionId)).toBeUndefined();
      expect(await partitionRows(Keys.groupsOfConnection(hub, connectionId))).toEqual([]);
    },
  );

  describe("presence rows under concurrent joins of one user", () => {
    const everyGroup = [GroupPattern.fromSetting("*")];
    const withPresence = new TableStateStore(
      TableAccess.fromConnectionString(connectionString, table, 5000),
      everyGroup,
    );
    const member = (userId: string) => ({ userId, roles: [] });
    const listed = async (userId: string) => {
      const { partitionKey, rowKey } = Keys.presence(hub, "lounge", userId);
      const row = (await partitionRows(partitionKey)).find((r) => r.rowKey === rowKey);
      return (JSON.parse(String(row?.connections)) as string[]).sort();
    };

    it("When another connection of the user joins just before a join inserts the presence row, then the join retries from a new read and only the other reports online", async () => {
      const userId = `user-${randomUUID()}`;
      const [rival, mine] = [record(userId), record(userId)];
      let rivalChange: unknown;
      const store = storeInterruptedAt(
        "createEntity",
        "p.",
        async () => {
          rivalChange = await withPresence.addMembership(
            hub,
            rival.connectionId,
            member(userId),
            "lounge",
            { id: "1", time: undefined },
          );
        },
        everyGroup,
      );

      const change = await store.addMembership(hub, mine.connectionId, member(userId), "lounge", {
        id: "1",
        time: undefined,
      });

      expect(rivalChange).toEqual({ group: "lounge", userId, state: "online" });
      expect(change).toBeUndefined();
      expect(await listed(userId)).toEqual([rival.connectionId, mine.connectionId].sort());
    });

    it("When another connection of the user leaves just before a leave replaces the presence row, then the leave retries from a new read and reports offline itself", async () => {
      const userId = `user-${randomUUID()}`;
      const [rival, mine, stays] = [record(userId), record(userId), record(userId)];
      for (const connection of [rival, mine, stays]) {
        // Opened, so an admin's removal finds the connection's user.
        await plain.openConnection(connection, 0);
        await withPresence.addMembership(hub, connection.connectionId, member(userId), "lounge", {
          id: "1",
          time: undefined,
        });
      }
      // `stays` leaves first, so the two racing leaves start from a row of three.
      await withPresence.deleteMembership(hub, stays.connectionId, "lounge");
      let rivalChange: unknown;
      const store = storeInterruptedAt(
        "updateEntity",
        "p.",
        async () => {
          rivalChange = await withPresence.deleteMembership(hub, rival.connectionId, "lounge");
        },
        everyGroup,
      );
      // The interrupted store reads a row of two and would replace it with one; the rival's
      // leave comes first, so the replace meets a changed ETag and the leave reads again.
      const change = await store.removeMembership(
        hub,
        mine.connectionId,
        "lounge",
        { id: "2", time: undefined },
        { userId, markIfAbsent: true },
      );

      expect(rivalChange).toBeUndefined();
      expect(change).toEqual({ group: "lounge", userId, state: "offline" });
      const { partitionKey } = Keys.presence(hub, "lounge", userId);
      expect(
        (await partitionRows(partitionKey)).filter(
          (row) => row.rowKey === Keys.presence(hub, "lounge", userId).rowKey,
        ),
      ).toEqual([]);
    });
  });

  it("When another connect takes the free slot between the list and the insert, then the next slot is taken", async () => {
    const userId = `user-${randomUUID()}`;
    const rival = record(userId);
    const store = storeInterruptedAt("createEntity", "u.", async () => {
      expect((await plain.openConnection(rival, 2)).outcome).toBe("opened");
    });
    const mine = record(userId);
    expect((await store.openConnection(mine, 2)).outcome).toBe("opened");
    const slots = await partitionRows(Keys.slotsOfUser(hub, userId));
    expect(slots.map((row) => [row.rowKey, row.connectionId])).toEqual([
      ["0000", rival.connectionId],
      ["0001", mine.connectionId],
    ]);
  });

  it("When another connect takes the last slot between the list and the insert, then the limit holds and nothing is left", async () => {
    const userId = `user-${randomUUID()}`;
    const rival = record(userId);
    const store = storeInterruptedAt("createEntity", "u.", async () => {
      expect((await plain.openConnection(rival, 1)).outcome).toBe("opened");
    });
    const mine = record(userId);
    expect((await store.openConnection(mine, 1)).outcome).toBe("limit-reached");
    expect(await plain.getConnection(hub, mine.connectionId)).toBeUndefined();
    const slots = await partitionRows(Keys.slotsOfUser(hub, userId));
    expect(slots.map((row) => row.connectionId)).toEqual([rival.connectionId]);
  });

  it("When the connection row cannot be written after the slot was taken, then the slot is released", async () => {
    const userId = `user-${randomUUID()}`;
    const connection = record(userId);
    // The fault: a row under the connection's key that is not a connection the store wrote.
    const { partitionKey, rowKey } = Keys.connection(hub, connection.connectionId);
    await raw.createEntity({ partitionKey, rowKey, state: "gone" });
    expect((await plain.openConnection(connection, 3)).outcome).toBe("gone");
    expect(await partitionRows(Keys.slotsOfUser(hub, userId))).toEqual([]);
  });

  it("When a join writes its rows between a disconnect's listing and its marker, then the connection's purge removes them", async () => {
    const connection = { ...record("u"), groups: ["early"] };
    const { connectionId } = connection;
    expect((await plain.openConnection(connection, 0)).outcome).toBe("opened");
    const member = { userId: "u", roles: [] };
    // The join runs whole, seeing the connection still live, just before the marker is written.
    const store = storeInterruptedAt("upsertEntity", "c.", async () => {
      await plain.addMembership(hub, connectionId, member, "late", { id: "2", time: undefined });
    });
    await store.removeConnection(hub, connectionId, "u");
    expect(await plain.getMembership(hub, "early", connectionId)).toBeUndefined();
    expect(await plain.getMembership(hub, "late", connectionId)).toBeDefined();

    const purge = await plain.purgeGoneConnections(hub, new Date(Date.now() + 60_000), 1000);
    expect(purge.complete).toBe(true);
    expect(await plain.getMembership(hub, "late", connectionId)).toBeUndefined();
    expect(await partitionRows(Keys.groupsOfConnection(hub, connectionId))).toEqual([]);
    expect(await plain.getConnection(hub, connectionId)).toBeUndefined();
  });

  it("When a disconnect fails as it writes its marker, then the connection is already no member of its groups, and a retry completes", async () => {
    const connection = { ...record("u"), groups: ["a", "b"] };
    const { connectionId } = connection;
    expect((await plain.openConnection(connection, 0)).outcome).toBe("opened");
    const failing = storeInterruptedAt("upsertEntity", "c.", async () => {
      await Promise.reject(new Error("storage went away"));
    });
    await expect(failing.removeConnection(hub, connectionId, "u")).rejects.toBeInstanceOf(
      DependencyError,
    );
    expect(await plain.getMembership(hub, "a", connectionId)).toBeUndefined();
    expect(await plain.getMembership(hub, "b", connectionId)).toBeUndefined();
    await plain.removeConnection(hub, connectionId, "u");
    expect((await plain.getConnection(hub, connectionId))?.state).toBe("gone");
    expect(await partitionRows(Keys.groupsOfConnection(hub, connectionId))).toEqual([]);
  });
});
