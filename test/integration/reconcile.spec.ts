import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../shared/log/log.js";
import { encodeConnectionState } from "../../shared/protocol/decodeConnectionState.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import type { HubService } from "../../shared/service/hubService.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("reconcile", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());

  const send = async (
    event: "connected" | "disconnected",
    connectionId: string,
    userId: string,
  ) => {
    const connectionState = encodeConnectionState({ groups: ["room"], roles: [] });
    const request = app.event({
      event,
      connectionId,
      userId,
      connectionState,
    });
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
    expect(await app.tableRows.userConnections("gus")).toEqual([]);
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
});
