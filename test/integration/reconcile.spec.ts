import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connected } from "../../functions/connected.js";
import { disconnected } from "../../functions/disconnected.js";
import { silentLog } from "../../shared/log/log.js";
import { encodeConnectionState } from "../../shared/protocol/decodeConnectionState.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { serviceEvent } from "../fixtures/serviceEvent.js";
import { PRIMARY_KEY, TestApp, uniqueId } from "../fixtures/testApp.js";

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
    const request = serviceEvent({
      event,
      hub: app.hub,
      connectionId,
      userId,
      keys: [PRIMARY_KEY],
      connectionState,
    });
    expect((await app.call(event === "connected" ? connected : disconnected, request)).status).toBe(
      204,
    );
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

    expect(report).toMatchObject({ checked: 2, removed: 1 });
    expect(app.recorder.calls.map((call) => [call.method, ...call.segments]).sort()).toEqual(
      [
        ["HEAD", "connections", ghost],
        ["HEAD", "connections", live],
      ].sort(),
    );
    expect((await app.connectionRow(live))?.state).toBe("live");
    expect((await app.connectionRow(ghost))?.state).toBe("gone");
    expect(await app.groupMembers("room")).toEqual([live]);
    expect(await app.userConnections("gus")).toEqual([]);
  });

  it("When connections are younger than the grace period, then they are not checked", async () => {
    const fresh = uniqueId();
    await send("connected", fresh, "fay");
    app.recorder.clear();
    await reconcileConnections(app.runtime, silentLog, new Date());
    expect(app.recorder.callsTo("connections", fresh)).toEqual([]);
    expect((await app.connectionRow(fresh))?.state).toBe("live");
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
    expect(await app.connectionRow(old)).toBeUndefined();
  });
});
