import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../shared/log/log.js";
import { Keys } from "../../shared/state/keys.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import type { HubService } from "../../shared/service/hubService.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("reconcile", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "100" }));
  afterAll(async () => await app.stop());

  /** `connected` stands for the connect and connected the service sends; the client is in "room". */
  const send = async (
    event: "connected" | "disconnected",
    connectionId: string,
    userId: string,
  ) => {
    if (event === "connected") {
      const connect = app.event({
        event: "connect",
        connectionId,
        userId,
        body: JSON.stringify({ claims: { sub: [userId], "webpubsub.group": ["room"] } }),
      });
      expect((await app.call(events, connect)).status).toBe(204);
    }
    const request = app.event({ event, connectionId, userId });
    expect((await app.call(events, request)).status).toBe(204);
  };

  it("When a disconnected event was lost, then the ghost and its memberships are removed and live ones stay", async () => {
    const [live, ghost, gone] = [uniqueId(), uniqueId(), uniqueId()];
    await send("connected", live, "lena");
    await send("connected", ghost, "gus");
    await send("connected", gone, "gia");
    await send("disconnected", gone, "gia");
    app.recorder.connections.add(live);
    app.recorder.clear();

    const later = new Date(Date.now() + 10 * 60_000);
    const report = await reconcileConnections(app.runtime, silentLog, later);

    expect(report).toMatchObject({ checked: 2, removed: 1, failed: 0, complete: true });
    expect(app.recorder.calls.map((call) => [call.method, ...call.segments]).sort()).toEqual(
      [
        ["HEAD", "connections", ghost],
        ["HEAD", "connections", live],
      ].sort(),
    );
    expect((await app.tableRows.connectionRow(live))?.state).toBe("live");
    expect((await app.tableRows.connectionRow(ghost))?.state).toBe("gone");
    expect(await app.tableRows.groupMembers("room")).toEqual([live]);
    expect(await app.tableRows.userSlots("gus")).toEqual([]);
    expect(await app.tableRows.userSlots("lena")).toEqual([live]);
  });

  it("When ghosts are spread over every connection shard, then one run removes them all", async () => {
    const ghosts = Array.from({ length: 40 }, () => uniqueId());
    for (const id of ghosts) await send("connected", id, "ghost");
    const report = await reconcileConnections(
      app.runtime,
      silentLog,
      new Date(Date.now() + 10 * 60_000),
    );
    expect(report.removed).toBeGreaterThanOrEqual(40);
    for (const id of ghosts) expect((await app.tableRows.connectionRow(id))?.state).toBe("gone");
  });

  it("When one check fails, then the others still run and the failure is counted", async () => {
    const [ok, broken] = [uniqueId(), uniqueId()];
    await send("connected", ok, "olga");
    await send("connected", broken, "bert");
    app.recorder.connections.add(ok);
    const service = app.runtime.service;
    const flaky: HubService = Object.assign(Object.create(service) as HubService, {
      connectionExists: async (id: string) => {
        if (id === broken) throw new Error("service unavailable");
        return await service.connectionExists(id);
      },
    });
    const report = await reconcileConnections(
      { ...app.runtime, service: flaky },
      silentLog,
      new Date(Date.now() + 10 * 60_000),
    );
    expect(report.failed).toBe(1);
    expect(report.complete).toBe(true);
    expect((await app.tableRows.connectionRow(ok))?.state).toBe("live");
    expect((await app.tableRows.connectionRow(broken))?.state).toBe("live");
  });

  it("When connections are younger than the grace period, then they are not checked", async () => {
    const fresh = uniqueId();
    await send("connected", fresh, "fay");
    app.recorder.clear();
    await reconcileConnections(app.runtime, silentLog, new Date());
    expect(app.recorder.callsTo("connections", fresh)).toEqual([]);
    expect((await app.tableRows.connectionRow(fresh))?.state).toBe("live");
  });

  it("When disconnected markers are older than an hour, then they are purged", async () => {
    const old = uniqueId();
    await send("connected", old, "olaf");
    await send("disconnected", old, "olaf");
    const report = await reconcileConnections(
      app.runtime,
      silentLog,
      new Date(Date.now() + 2 * 60 * 60_000),
    );
    expect(report.purged).toBeGreaterThanOrEqual(1);
    expect(await app.tableRows.connectionRow(old)).toBeUndefined();
  });

  it("When a disconnect failed after writing its marker, then the purge removes the memberships and the slot it left", async () => {
    const half = uniqueId();
    await send("connected", half, "hal");
    // The fault: the marker is written, then the disconnect stops before removing anything else.
    await app.tableRows.client.upsertEntity(
      { ...Keys.connection(app.hub, half), state: "gone", goneAt: new Date() },
      "Merge",
    );
    expect(await app.tableRows.groupMembers("room")).toContain(half);
    expect(await app.tableRows.userSlots("hal")).toEqual([half]);
    const report = await reconcileConnections(
      app.runtime,
      silentLog,
      new Date(Date.now() + 2 * 60 * 60_000),
    );
    expect(report.purged).toBeGreaterThanOrEqual(1);
    expect(await app.tableRows.connectionRow(half)).toBeUndefined();
    expect(await app.tableRows.groupMembers("room")).not.toContain(half);
    expect(await app.tableRows.userSlots("hal")).toEqual([]);
    expect(await app.tableRows.partition(Keys.groupsOfConnection(app.hub, half))).toEqual([]);
  });
});
