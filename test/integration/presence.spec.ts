import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { events } from "../../functions/events.js";
import { silentLog } from "../../shared/log/log.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { createRuntime, type Runtime } from "../../shared/runtime.js";
import { Keys } from "../../shared/state/keys.js";
import { TableAccess } from "../../shared/state/tableAccess.js";
import { TableStateStore } from "../../shared/state/tableStateStore.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

const SETTINGS = { SWITCHBOARD_JOIN_GROUPS: "*", SWITCHBOARD_PRESENCE_GROUPS: "room-*,lobby" };

/** Far enough ahead that every connection is past the reconciler's grace and every marker old. */
const later = () => new Date(Date.now() + 2 * 60 * 60_000);

describe("presence", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start(SETTINGS));
  afterAll(async () => await app.stop());
  beforeEach(() => app.recorder.clear());

  const room = () => uniqueId("room");

  /** The notices the service was asked to send to `group`, in order. */
  const notices = (group: string) =>
    app.recorder
      .callsTo("groups", group, ":send")
      .map((call) => call.body as { type: string; state: string });

  const presenceRows = async (group: string) =>
    await app.tableRows.partition(Keys.presenceOfGroup(app.hub, group));

  /**
   * A store over the app's table that counts Table Storage round trips and throws at the first
   * write to a presence row while `failPresenceWrites` is set.
   */
  const instrumented = (runtime: Runtime) => {
    const counter = { calls: 0, failPresenceWrites: false };
    const raw = TableClient.fromConnectionString(inject("tableConnectionString"), app.table, {
      allowInsecureConnection: true,
    });
    const calls = [
      "getEntity",
      "createEntity",
      "upsertEntity",
      "updateEntity",
      "deleteEntity",
      "listEntities",
      "submitTransaction",
    ];
    const writes = ["createEntity", "upsertEntity", "updateEntity", "deleteEntity"];
    const client = new Proxy(raw, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function" || !calls.includes(String(property))) return value;
        return (...args: unknown[]) => {
          counter.calls++;
          const first = args[0];
          const partitionKey =
            typeof first === "string" ? first : (first as { partitionKey?: string }).partitionKey;
          if (
            counter.failPresenceWrites &&
            writes.includes(String(property)) &&
            partitionKey?.startsWith("p.") === true
          ) {
            counter.failPresenceWrites = false;
            throw new Error("storage failed mid-way");
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const store = new TableStateStore(
      new TableAccess(async () => await Promise.resolve(client), 5000),
      runtime.config.presenceGroups,
    );
    return { counter, runtime: createRuntime(runtime.config, { store }) };
  };

  it("When one user's two connections join and leave a presence group, then the group hears one online and one offline, each in one REST call", async () => {
    const group = room();
    const phone = await app.client({ userId: "pat" });
    const laptop = await app.client({ userId: "pat" });

    await phone.say({ type: "join", group });
    expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
      ["PUT", "groups", group, "connections", phone.connectionId],
      ["POST", "groups", group, ":send"],
    ]);
    const [online] = app.recorder.callsTo("groups", group, ":send");
    expect(online?.contentType).toMatch(/^application\/json/);
    expect(online?.body).toEqual({
      type: "presence",
      group,
      user: "pat",
      state: "online",
      at: expect.any(String),
    });
    expect(Date.parse((online?.body as { at: string }).at)).toBeGreaterThan(Date.now() - 10_000);

    await laptop.say({ type: "join", group });
    await phone.disconnect();
    expect(notices(group)).toHaveLength(1);

    app.recorder.clear();
    await laptop.disconnect();
    expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
      ["POST", "groups", group, ":send"],
    ]);
    expect(app.recorder.calls[0]?.body).toEqual({
      type: "presence",
      group,
      user: "pat",
      state: "offline",
      at: expect.any(String),
    });
    expect(await presenceRows(group)).toEqual([]);
  });

  it("When a user's only connection leaves a presence group, then offline follows the service's removal", async () => {
    const group = room();
    const lee = await app.client({ userId: "lee" });
    await lee.say({ type: "join", group });
    app.recorder.clear();

    expect((await lee.say({ type: "leave", group, id: 1 })).json()).toEqual({
      type: "ack",
      id: 1,
      ok: true,
    });
    expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
      ["DELETE", "groups", group, "connections", lee.connectionId],
      ["POST", "groups", group, ":send"],
    ]);
    expect(notices(group)).toEqual([expect.objectContaining({ user: "lee", state: "offline" })]);
    expect(await presenceRows(group)).toEqual([]);

    // Leaving again changes nothing, so nothing more is announced.
    app.recorder.clear();
    await lee.say({ type: "leave", group });
    expect(notices(group)).toEqual([]);
  });

  it("When a join is delivered again, then no second online is sent", async () => {
    const group = room();
    const rae = await app.client({ userId: "rae" });
    await rae.say({ type: "join", group }, { eventId: "7" });
    await rae.say({ type: "join", group }, { eventId: "7" });
    await rae.say({ type: "join", group }, { eventId: "8" });
    expect(notices(group)).toEqual([expect.objectContaining({ user: "rae", state: "online" })]);
    const [row] = await presenceRows(group);
    expect(JSON.parse(String(row?.connections))).toEqual([rae.connectionId]);
  });

  it("When a connection is given groups at connect, then each presence group among them hears online before the answer, and others hear nothing", async () => {
    const group = room();
    const plain = uniqueId("plain");
    const kim = await app.client({ userId: "kim", groups: [group, plain] });
    expect(notices(group)).toEqual([
      { type: "presence", group, user: "kim", state: "online", at: expect.any(String) },
    ]);
    expect(notices(plain)).toEqual([]);

    // A second connection of the same user with the same groups announces nothing.
    await app.client({ userId: "kim", groups: [group, plain] });
    expect(notices(group)).toHaveLength(1);

    app.recorder.clear();
    await kim.disconnect();
    expect(notices(group)).toEqual([]);
  });

  it("When a group is not a presence group, then join and leave send no notice and cost no more table round trips than without presence", async () => {
    const measured = instrumented(app.runtime);
    const healthy = app.runtime;
    app.runtime = measured.runtime;
    try {
      const cost = async (group: string) => {
        const ada = await app.client({ userId: "ada" });
        const before = measured.counter.calls;
        await ada.say({ type: "join", group });
        const join = measured.counter.calls - before;
        await ada.say({ type: "leave", group });
        return { join, leave: measured.counter.calls - before - join };
      };
      const plain = await cost(uniqueId("plain"));
      const presence = await cost(room());

      expect(plain).toEqual({ join: 4, leave: 4 });
      // A read and a conditional write of the user's presence row each.
      expect(presence).toEqual({ join: 6, leave: 6 });
      expect(app.recorder.calls.filter((call) => call.segments.at(-1) === ":send")).toHaveLength(2);
    } finally {
      app.runtime = healthy;
    }
  });

  it("When a member asks for a presence group's members, then each user comes with its number of connections", async () => {
    const group = room();
    const [a1, a2, b] = [
      await app.client({ userId: "amy" }),
      await app.client({ userId: "amy" }),
      await app.client({ userId: "ben" }),
    ];
    for (const client of [a1, a2, b]) await client.say({ type: "join", group });
    const answer = (await b.say({ type: "members", group, id: 3 })).json();
    expect(answer).toMatchObject({ type: "ack", id: 3, ok: true, truncated: false });
    expect(answer.members).toEqual(
      expect.arrayContaining([
        { user: "amy", connections: 2 },
        { user: "ben", connections: 1 },
      ]),
    );
    expect(answer.members).toHaveLength(2);

    const plain = uniqueId("plain");
    await b.say({ type: "join", group: plain });
    expect((await b.say({ type: "members", group: plain })).json().members).toEqual(["ben"]);
  });

  it("When a disconnected event was lost, then the reconciler removes the ghost and the group hears offline", async () => {
    const group = room();
    const gus = await app.client({ userId: "gus" });
    await gus.say({ type: "join", group });
    // The service lost the connection and its disconnected event never came.
    app.recorder.connections.delete(gus.connectionId);
    app.recorder.clear();

    const report = await reconcileConnections(app.runtime, silentLog, later());

    expect(report.offline).toBeGreaterThanOrEqual(1);
    expect(notices(group)).toEqual([
      { type: "presence", group, user: "gus", state: "offline", at: expect.any(String) },
    ]);
    expect(await presenceRows(group)).toEqual([]);
    expect(await app.runtime.store.listUserConnections(app.hub, "gus", 10)).toEqual([]);
  });

  it("When a disconnected fails as it updates presence, then it answers 500, its retry announces nothing, and the reconciler's sweep repairs the row with the offline notice", async () => {
    const group = room();
    const userId = uniqueId("u");
    const zed = await app.client({ userId });
    await zed.say({ type: "join", group });
    const faulty = instrumented(app.runtime);
    faulty.counter.failPresenceWrites = true;
    const disconnected = () =>
      app.event({ event: "disconnected", connectionId: zed.connectionId, userId });
    app.recorder.clear();

    const healthy = app.runtime;
    app.runtime = faulty.runtime;
    expect((await app.call(events, disconnected())).status).toBe(500);
    app.runtime = healthy;
    // The service retries the event: the rest of the disconnect is done, the presence row is not.
    expect((await app.call(events, disconnected())).status).toBe(204);
    app.recorder.connections.delete(zed.connectionId);
    expect(notices(group)).toEqual([]);
    expect(await presenceRows(group)).toHaveLength(1);

    const report = await reconcileConnections(app.runtime, silentLog, later());

    expect(report.complete).toBe(true);
    expect(notices(group)).toEqual([
      expect.objectContaining({ group, user: userId, state: "offline" }),
    ]);
    expect(await presenceRows(group)).toEqual([]);
  });

  it("When a presence row names a connection that is gone and one that is live, then the sweep takes out only the gone one, announcing nothing", async () => {
    const group = room();
    const userId = uniqueId("u");
    const live = await app.client({ userId });
    await live.say({ type: "join", group });
    const gone = uniqueId();
    // The fault: a join of `gone` that wrote the presence row after its disconnect was recorded.
    const { partitionKey, rowKey } = Keys.presence(app.hub, group, userId);
    await app.tableRows.client.updateEntity(
      { partitionKey, rowKey, connections: JSON.stringify([live.connectionId, gone]) },
      "Merge",
    );
    await app.tableRows.client.upsertEntity(
      { ...Keys.connection(app.hub, gone), state: "gone", connectionId: gone, goneAt: new Date() },
      "Merge",
    );
    app.recorder.clear();

    await reconcileConnections(app.runtime, silentLog, new Date(Date.now() + 10 * 60_000));

    expect(notices(group)).toEqual([]);
    const [row] = await presenceRows(group);
    expect(JSON.parse(String(row?.connections))).toEqual([live.connectionId]);
  });

  it("When a notice fails at the service, then it is logged as a warning with the group and the event still succeeds", async () => {
    const group = room();
    const nia = await app.client({ userId: "nia" });
    await nia.say({ type: "join", group });
    app.recorder.refusedNames.add(group);
    try {
      app.logs.length = 0;
      await nia.disconnect();
      const warning = app.logs.find((line) => line.text.includes("presence notice not sent"));
      expect(warning?.level).toBe("warning");
      expect(warning?.text).toContain(group);
      expect(await presenceRows(group)).toEqual([]);
    } finally {
      app.recorder.refusedNames.delete(group);
    }
  });
});

describe("presence in the store, for the admin API", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start(SETTINGS));
  afterAll(async () => await app.stop());

  it("When a user has connections in groups, then its connections, a connection's groups and a group's counts are read without scans", async () => {
    const { store } = app.runtime;
    const userId = uniqueId("u");
    const group = uniqueId("room");
    const plain = uniqueId("plain");
    const first = await app.client({ userId, groups: [group] });
    const second = await app.client({ userId, groups: [group, plain] });
    await second.say({ type: "leave", group: plain });

    expect((await store.listUserConnections(app.hub, userId, 10)).sort()).toEqual(
      [first.connectionId, second.connectionId].sort(),
    );
    expect(await store.getConnectionGroups(app.hub, second.connectionId)).toEqual([group]);
    expect(await store.listGroupMemberCounts(app.hub, group, 10)).toEqual({
      members: [{ userId, connections: 2 }],
      truncated: false,
    });

    expect(await store.deleteMembership(app.hub, first.connectionId, group)).toBeUndefined();
    expect(await store.deleteMembership(app.hub, second.connectionId, group)).toEqual({
      group,
      userId,
      state: "offline",
    });
    expect(await store.listGroupMemberCounts(app.hub, group, 10)).toEqual({
      members: [],
      truncated: false,
    });

    await first.disconnect();
    expect(await store.listUserConnections(app.hub, userId, 10)).toEqual([second.connectionId]);
  });

  it("When a group is not a presence group, then its counts come from its member rows", async () => {
    const { store } = app.runtime;
    const plain = uniqueId("plain");
    await app.client({ userId: "x", groups: [plain] });
    await app.client({ userId: "x", groups: [plain] });
    await app.client({ userId: "y", groups: [plain] });
    const all = await store.listGroupMemberCounts(app.hub, plain, 10);
    expect(all.truncated).toBe(false);
    expect(all.members).toEqual(
      expect.arrayContaining([
        { userId: "x", connections: 2 },
        { userId: "y", connections: 1 },
      ]),
    );
    expect(all.members).toHaveLength(2);
    // Cut at one user, that user's connections are still all counted.
    const one = await store.listGroupMemberCounts(app.hub, plain, 1);
    expect(one.truncated).toBe(true);
    expect(one.members).toEqual([all.members.find((m) => m.userId === one.members[0]?.userId)]);
  });
});
