import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../shared/log/log.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { getRuntime } from "../../shared/runtime.js";
import { eventually } from "./eventually.js";
import { System } from "./system.js";

/**
 * The whole system through an emulator that misbehaves as the service may: every event delivered
 * twice, `connected` after `disconnected`, some `disconnected` events lost, and a slow REST API.
 */
describe("end to end under faults: duplicated, reordered and lost events, a slow REST API", () => {
  const system = new System();
  beforeAll(async () => {
    await system.start();
    system.emulator.setFaults({
      duplicateEvents: true,
      reorderLifecycle: true,
      rest: { delayMs: 200, match: "/:send" },
    });
  });
  afterAll(async () => await system.stop());

  it("When three users chat and retry every send, then each message reaches each member exactly once, and after everyone leaves and a reconcile run no row is left", async () => {
    const names = ["ana", "ben", "cy"];
    const clients = await Promise.all(names.map(async (name) => await system.client(name)));
    for (const [i, client] of clients.entries()) {
      await client.say({ type: "join", group: "room", id: `join-${i}` });
      expect(await client.inbox.ack(`join-${i}`)).toMatchObject({ ok: true });
    }
    for (const [i, client] of clients.entries()) {
      for (let n = 0; n < 4; n++) {
        const message = { type: "send", group: "room", data: `${names[i]}-${n}`, id: `m-${n}` };
        // The first attempt, and a client's retry of it: the same id, a new event.
        await client.say(message);
        await client.say(message);
      }
    }
    // A last message from each, sent after every other one was acknowledged.
    for (const client of clients) await client.say({ type: "send", group: "room", data: "end" });
    for (const client of clients) {
      const received = await client.inbox.envelopes(15);
      const data = received.map((envelope) => envelope.data as string).sort();
      expect(data).toEqual(
        [
          ...names.flatMap((name) => [0, 1, 2, 3].map((n) => `${name}-${n}`)),
          ...names.map(() => "end"),
        ].sort(),
      );
      expect(new Set(received.map((envelope) => envelope.id)).size).toBe(received.length);
    }

    // One client's disconnected is lost; the others' arrive before their connected.
    system.emulator.setFaults({ dropDisconnected: true });
    clients[0]?.client.stop();
    await eventually(
      async () => await system.service.connectionExists(clients[0]?.connectionId ?? ""),
      (exists) => !exists,
    );
    system.emulator.setFaults({ dropDisconnected: false });
    for (const client of clients.slice(1)) client.client.stop();
    for (const client of clients.slice(1)) {
      await eventually(
        async () => (await system.tableRows.connectionRow(client.connectionId))?.state,
        (state) => state === "gone",
      );
    }
    expect((await system.tableRows.connectionRow(clients[0]?.connectionId ?? ""))?.state).toBe(
      "live",
    );

    const report = await reconcileConnections(
      getRuntime(),
      silentLog,
      new Date(Date.now() + 2 * 60 * 60_000),
    );
    expect(report).toMatchObject({ removed: 1, complete: true });
    expect(await system.tableRows.rows()).toEqual([]);
  });
});
