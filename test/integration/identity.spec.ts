import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events } from "../../functions/events.js";
import { silentLog } from "../../shared/log/log.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { Keys } from "../../shared/state/keys.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

/** The sender of every user event is the user the store recorded at connect, for a live connection. */
describe("sender identity", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ SWITCHBOARD_JOIN_GROUPS: "*" }));
  afterAll(async () => await app.stop());
  beforeEach(() => {
    app.recorder.clear();
    app.logs.length = 0;
  });

  const warned = (text: RegExp) =>
    app.logs.some((line) => line.level === "warning" && text.test(line.text));

  it("When ce-userId is forged on a validly signed event, then forbidden, nothing is routed and a warning is logged", async () => {
    const mallory = await app.client({ userId: "mallory" });
    await mallory.say({ type: "join", group: "room" });
    app.recorder.clear();
    for (const message of [
      { type: "send", group: "room", data: "as admin" },
      { type: "send", user: "bob", data: "as admin" },
      { type: "join", group: "other" },
      { type: "members", group: "room" },
    ]) {
      const ack = (await mallory.say(message, { userId: "admin" })).json();
      expect(ack).toMatchObject({ ok: false, error: { code: "forbidden" } });
    }
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("other")).toEqual([]);
    expect(warned(/ce-userId differs/)).toBe(true);
  });

  it("When ce-userId is left out on an event of a connection that has a user, then it is refused", async () => {
    const quiet = await app.client({ userId: "quiet" });
    const request = app.event({
      event: "message",
      connectionId: quiet.connectionId,
      userId: undefined,
      body: JSON.stringify({ type: "send", user: "bob", data: 1 }),
    });
    const ack = JSON.parse((await app.call(events, request)).text) as Record<string, unknown>;
    expect(ack).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(app.recorder.calls).toEqual([]);
  });

  it("When an event arrives from a connection the store knows as gone (a replay), then gone and nothing is routed", async () => {
    const left = await app.client({ userId: "lefty" });
    await left.say({ type: "join", group: "after-gone" });
    await left.disconnect();
    app.recorder.clear();
    for (const message of [
      { type: "send", group: "after-gone", data: "replayed" },
      { type: "send", user: "bob", data: "replayed" },
      { type: "join", group: "after-gone" },
    ]) {
      expect((await left.say(message)).json()).toMatchObject({
        ok: false,
        error: { code: "gone" },
      });
    }
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("after-gone")).toEqual([]);
    expect(warned(/has disconnected/)).toBe(true);
  });

  it("When an event arrives from a connection id that never connected, then forbidden and nothing is routed or written", async () => {
    const stranger = uniqueId();
    for (const message of [
      { type: "join", group: "nowhere" },
      { type: "send", user: "bob", data: 1 },
      { type: "send", group: "nowhere", data: 1 },
    ]) {
      const request = app.event({
        event: "message",
        connectionId: stranger,
        userId: "stranger",
        body: JSON.stringify(message),
      });
      const ack = JSON.parse((await app.call(events, request)).text) as Record<string, unknown>;
      expect(ack).toMatchObject({ ok: false, error: { code: "forbidden" } });
    }
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.connectionRow(stranger)).toBeUndefined();
    expect(await app.tableRows.groupMembers("nowhere")).toEqual([]);
    expect(warned(/never connected/)).toBe(true);
  });

  it("When a join is re-delivered after its leave, then it is acknowledged and nothing is routed or written", async () => {
    const client = await app.client();
    await client.say({ type: "join", group: "once" }, { eventId: "7" });
    await client.say({ type: "leave", group: "once" }, { eventId: "8" });
    app.recorder.clear();
    const rowsBefore = await app.tableRows.partition(
      Keys.groupsOfConnection(app.hub, client.connectionId),
    );
    const again = (
      await client.say({ type: "join", group: "once", id: 1 }, { eventId: "7" })
    ).json();
    expect(again).toEqual({ type: "ack", id: 1, ok: true });
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("once")).toEqual([]);
    expect(
      await app.tableRows.partition(Keys.groupsOfConnection(app.hub, client.connectionId)),
    ).toEqual(rowsBefore);
    // A new join (another event) joins again.
    expect(
      (await client.say({ type: "join", group: "once" }, { eventId: "9" })).json(),
    ).toMatchObject({
      ok: true,
    });
    expect(await app.tableRows.groupMembers("once")).toEqual([client.connectionId]);
  });

  it("When a connection no connect recorded sends its first message, then it is refused, nothing is written and a warning names the likely cause", async () => {
    const connectionId = uniqueId();
    const connected = await app.call(
      events,
      app.event({ event: "connected", connectionId, userId: "x" }),
    );
    expect(connected.status).toBe(204);
    const message = await app.call(
      events,
      app.event({
        event: "message",
        connectionId,
        userId: "x",
        body: JSON.stringify({ type: "join", group: "room", id: "j" }),
      }),
    );
    expect(JSON.parse(message.text)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
    expect(warned(/'connect' among the hub's system events/)).toBe(true);
  });

  it("When a connect is replayed after its disconnect, then 403 and the connection stays gone", async () => {
    const client = await app.client({ userId: "replayed" });
    await client.disconnect();
    const replay = app.event({
      event: "connect",
      connectionId: client.connectionId,
      userId: "replayed",
      body: JSON.stringify({ claims: { sub: ["replayed"], role: ["webpubsub.joinLeaveGroup"] } }),
    });
    expect((await app.call(events, replay)).status).toBe(403);
    expect((await app.tableRows.connectionRow(client.connectionId))?.state).toBe("gone");
  });
});

describe("per-user connection limit", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "3" }));
  afterAll(async () => await app.stop());

  const connect = async (userId: string, connectionId = uniqueId()) => {
    const request = app.event({
      event: "connect",
      connectionId,
      userId,
      body: JSON.stringify({ claims: { sub: [userId] } }),
    });
    return { connectionId, status: (await app.call(events, request)).status };
  };

  it("When ten connects of one user race, then exactly the limit are accepted and hold a slot each", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => connect("racer")));
    const accepted = results.filter((result) => result.status === 204);
    expect(accepted).toHaveLength(3);
    expect(results.filter((result) => result.status === 403)).toHaveLength(7);
    expect(await app.tableRows.userSlots("racer")).toEqual(
      accepted.map((result) => result.connectionId).sort(),
    );
    for (const refused of results.filter((result) => result.status === 403)) {
      expect(await app.tableRows.connectionRow(refused.connectionId)).toBeUndefined();
    }
  });

  it("When a connection of a user at the limit disconnects, then its slot is free for the next connect", async () => {
    const first = await connect("cycler");
    await connect("cycler");
    await connect("cycler");
    expect((await connect("cycler")).status).toBe(403);
    await app.call(
      events,
      app.event({ event: "disconnected", connectionId: first.connectionId, userId: "cycler" }),
    );
    expect((await connect("cycler")).status).toBe(204);
    expect(await app.tableRows.userSlots("cycler")).toHaveLength(3);
  });

  it("When every slot is held and one holder is recorded as gone, then the next connect frees that slot and takes it", async () => {
    const stale = await connect("stale");
    await connect("stale");
    await connect("stale");
    // The fault: a disconnect wrote its marker and stopped before releasing the slot.
    await app.tableRows.client.upsertEntity(
      { ...Keys.connection(app.hub, stale.connectionId), state: "gone", goneAt: new Date() },
      "Merge",
    );
    expect(await app.tableRows.userSlots("stale")).toContain(stale.connectionId);
    const next = await connect("stale");
    expect(next.status).toBe(204);
    const slots = await app.tableRows.userSlots("stale");
    expect(slots).toHaveLength(3);
    expect(slots).toContain(next.connectionId);
    expect(slots).not.toContain(stale.connectionId);
    expect((await connect("stale")).status).toBe(403);
  });

  it("When a connect is delivered twice, then it holds one slot", async () => {
    const connectionId = uniqueId();
    expect((await connect("twice", connectionId)).status).toBe(204);
    expect((await connect("twice", connectionId)).status).toBe(204);
    expect(await app.tableRows.userSlots("twice")).toEqual([connectionId]);
  });
});

describe("hub names", () => {
  const app = new TestApp();
  beforeAll(
    async () =>
      await app.start({ AZURE_WEBPUBSUB_HUB: "SampleChat", SWITCHBOARD_JOIN_GROUPS: "*" }),
  );
  afterAll(async () => await app.stop());

  it("When the hub is configured as SampleChat and events carry ce-hub samplechat, then they are accepted and the reconciler finds the rows", async () => {
    const connectionId = uniqueId();
    const send = async (event: "connect" | "connected" | "message", body?: string) =>
      await app.call(
        events,
        app.event({ event, hub: "samplechat", connectionId, userId: "sam", body }),
      );
    expect((await send("connect", JSON.stringify({ claims: { sub: ["sam"] } }))).status).toBe(204);
    expect((await send("connected")).status).toBe(204);
    app.recorder.connections.add(connectionId);
    const join = await send("message", JSON.stringify({ type: "join", group: "g" }));
    expect(JSON.parse(join.text)).toMatchObject({ ok: true });
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("live");

    app.recorder.connections.delete(connectionId);
    const report = await reconcileConnections(
      app.runtime,
      silentLog,
      new Date(Date.now() + 10 * 60_000),
    );
    expect(report).toMatchObject({ checked: 1, removed: 1 });
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    expect(await app.tableRows.groupMembers("g")).toEqual([]);
  });

  it("When an event names another hub, then 400 still", async () => {
    const request = app.event({ event: "connected", hub: "otherchat", connectionId: uniqueId() });
    expect((await app.call(events, request)).status).toBe(400);
  });
});
