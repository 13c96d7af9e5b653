import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { events } from "../../functions/events.js";
import type { GroupPattern } from "../../shared/authorization/groupPattern.js";
import { silentLog } from "../../shared/log/log.js";
import { reconcileConnections } from "../../shared/reconcile/reconcileConnections.js";
import { createRuntime } from "../../shared/runtime.js";
import { Keys } from "../../shared/state/keys.js";
import { TableAccess } from "../../shared/state/tableAccess.js";
import { TableStateStore } from "../../shared/state/tableStateStore.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

/** Short deadlines, so every failure below is answered well inside a test's time. */
const DEADLINES = {
  SWITCHBOARD_STORAGE_TIMEOUT_MS: "400",
  SWITCHBOARD_SERVICE_TIMEOUT_MS: "400",
  SWITCHBOARD_EVENT_TIMEOUT_MS: "1500",
  SWITCHBOARD_JOIN_GROUPS: "*",
};

/** A Table Storage endpoint that accepts connections and never answers. */
async function silentServer(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const withTableEndpoint = (connectionString: string, endpoint: string) =>
  connectionString.replace(/TableEndpoint=[^;]+/, `TableEndpoint=${endpoint}`);

describe("fault injection: the REST API", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start(DEADLINES));
  afterAll(async () => await app.stop());
  beforeEach(() => {
    app.recorder.fault = undefined;
    app.recorder.clear();
    app.logs.length = 0;
  });

  const timed = async <T>(work: () => Promise<T>) => {
    const started = Date.now();
    const result = await work();
    return { result, ms: Date.now() - started };
  };

  const errorLine = () => app.logs.find((line) => line.level === "error");

  it.each([
    ["hangs", { kind: "hang" } as const],
    ["answers 503", { kind: "status", status: 503 } as const],
    ["answers 429", { kind: "status", status: 429, retryAfter: "0" } as const],
    ["resets the connection", { kind: "reset" } as const],
  ])(
    "When the REST API %s, then a send is answered unavailable within the deadline and logged as an error",
    async (_, fault) => {
      const sender = await app.client();
      await sender.say({ type: "join", group: "room" });
      app.recorder.fault = fault;
      const { result, ms } = await timed(
        async () =>
          await sender.say({ type: "send", group: "room", data: "secret-body-7f3a", id: "m" }),
      );
      expect(result.json()).toMatchObject({
        type: "ack",
        id: "m",
        ok: false,
        error: {
          code: "unavailable",
          message: expect.stringMatching(/try again with the same id/),
        },
      });
      expect(ms).toBeLessThan(1500 + 500);
      const line = errorLine();
      expect(line?.text).toMatch(/"dependency":"service"/);
      expect(line?.text).toMatch(/"invocationId":/);
      expect(app.logs.map((entry) => entry.text).join("\n")).not.toContain("secret-body-7f3a");
    },
  );

  it.each([
    [401, "a wrong key"],
    [403, "a missing role"],
  ])(
    "When the REST API answers %s (%s), then the sender gets unavailable, not forbidden, and the operator an error with the status",
    async (status) => {
      const sender = await app.client();
      app.recorder.fault = { kind: "status", status };
      const ack = (await sender.say({ type: "send", user: "u", data: 1 })).json();
      expect(ack).toMatchObject({ ok: false, error: { code: "unavailable" } });
      expect(errorLine()?.text).toMatch(new RegExp(`"status":${status}`));
    },
  );

  it("When the REST API refuses a name with 400, then bad_message, logged as information", async () => {
    const sender = await app.client();
    app.recorder.refusedNames.add("bad-name");
    try {
      const ack = (await sender.say({ type: "send", user: "bad-name", data: 1 })).json();
      expect(ack).toMatchObject({ ok: false, error: { code: "bad_message" } });
      expect(errorLine()).toBeUndefined();
    } finally {
      app.recorder.refusedNames.delete("bad-name");
    }
  });

  it("When a send with an id is retried after its first attempt failed at the REST API, then it is sent once, with the same id", async () => {
    const sender = await app.client();
    await sender.say({ type: "join", group: "retry" });
    app.recorder.fault = { kind: "status", status: 500 };
    const failed = (await sender.say({ type: "send", group: "retry", data: 1, id: 9 })).json();
    expect(failed).toMatchObject({ ok: false, error: { code: "unavailable" } });
    app.recorder.fault = undefined;
    app.recorder.clear();
    const first = (await sender.say({ type: "send", group: "retry", data: 1, id: 9 })).json();
    const again = (await sender.say({ type: "send", group: "retry", data: 1, id: 9 })).json();
    expect(first).toMatchObject({ ok: true });
    expect(again).toEqual(first);
    const sends = app.recorder.callsTo("groups", "retry", ":send");
    expect(sends).toHaveLength(1);
    expect((sends[0]?.body as { id: string }).id).toBe(first.messageId);
  });

  it("When the REST API throttles past the SDK's own retries, then unavailable carries the Retry-After and the status is logged", async () => {
    const sender = await app.client();
    app.recorder.fault = { kind: "status", status: 429, retryAfter: "0" };
    const ack = (await sender.say({ type: "send", user: "u", data: 1 })).json();
    expect(ack).toMatchObject({ ok: false, error: { code: "unavailable", retryAfterMs: 0 } });
    expect(errorLine()?.text).toMatch(/"status":429/);
  });

  it("When an earlier attempt of a send still holds its record, then a retry is answered unavailable with retryAfterMs and nothing is sent", async () => {
    const sender = await app.client();
    // The earlier attempt: its record claimed, its REST call not finished.
    const claim = await app.runtime.store.claimSend(
      app.hub,
      sender.connectionId,
      "s:in-flight",
      "earlier",
      120_000,
    );
    expect(claim.outcome).toBe("claimed");
    app.recorder.clear();
    const ack = (await sender.say({ type: "send", user: "u", data: 1, id: "in-flight" })).json();
    expect(ack).toMatchObject({
      id: "in-flight",
      ok: false,
      error: { code: "unavailable", retryAfterMs: expect.any(Number) },
    });
    expect((ack.error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(app.recorder.calls).toEqual([]);
  });

  it("When the same id is sent as a string and as a number, then they are two messages", async () => {
    const sender = await app.client();
    await sender.say({ type: "send", user: "u", data: 1, id: 5 });
    await sender.say({ type: "send", user: "u", data: 2, id: "5" });
    expect(app.recorder.callsTo("users", "u", ":send")).toHaveLength(2);
  });

  it("When a join's service call times out, then the rows it wrote are taken back and the ack is unavailable", async () => {
    const joiner = await app.client();
    app.recorder.fault = { kind: "hang" };
    const ack = (await joiner.say({ type: "join", group: "half" })).json();
    expect(ack).toMatchObject({ ok: false, error: { code: "unavailable" } });
    app.recorder.fault = undefined;
    expect(await app.tableRows.groupMembers("half")).toEqual([]);
    expect(
      await app.tableRows.partition(Keys.groupsOfConnection(app.hub, joiner.connectionId)),
    ).toEqual([]);
  });

  it("When the event's deadline ends a join's service call, then the rows the join wrote are still taken back", async () => {
    app.configure({
      ...DEADLINES,
      SWITCHBOARD_SERVICE_TIMEOUT_MS: "60000",
      SWITCHBOARD_EVENT_TIMEOUT_MS: "600",
    });
    try {
      const joiner = await app.client();
      app.recorder.fault = { kind: "hang" };
      const ack = (await joiner.say({ type: "join", group: "late-undo" })).json();
      expect(ack).toMatchObject({ ok: false, error: { code: "unavailable" } });
      app.recorder.fault = undefined;
      expect(await app.tableRows.groupMembers("late-undo")).toEqual([]);
    } finally {
      app.configure(DEADLINES);
    }
  });

  it("When a leave overtakes its join, then the older join arriving after it is not applied", async () => {
    const client = await app.client();
    await client.say({ type: "leave", group: "overtaken" }, { eventId: "12" });
    app.recorder.clear();
    expect(
      (await client.say({ type: "join", group: "overtaken" }, { eventId: "11" })).json(),
    ).toMatchObject({ ok: true });
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("overtaken")).toEqual([]);
  });

  it("When a join older than the group's last leave arrives, then it does not bring the membership back", async () => {
    const client = await app.client();
    await client.say({ type: "join", group: "order" }, { eventId: "3" });
    await client.say({ type: "leave", group: "order" }, { eventId: "7" });
    app.recorder.clear();
    const late = (await client.say({ type: "join", group: "order" }, { eventId: "5" })).json();
    expect(late).toMatchObject({ ok: true });
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("order")).toEqual([]);
    await client.say({ type: "join", group: "order" }, { eventId: "8" });
    expect(await app.tableRows.groupMembers("order")).toEqual([client.connectionId]);
  });
});

describe("fault injection: Table Storage", () => {
  const app = new TestApp();
  const storage = () => inject("tableConnectionString");
  beforeAll(async () => await app.start(DEADLINES));
  afterAll(async () => await app.stop());
  beforeEach(() => {
    app.logs.length = 0;
    app.configure(DEADLINES);
  });

  const connectStatus = async (settings: Record<string, string>) => {
    app.configure({ ...DEADLINES, ...settings });
    const started = Date.now();
    const response = await app.call(
      events,
      app.event({
        event: "connect",
        connectionId: uniqueId(),
        body: JSON.stringify({ claims: { sub: ["u"] } }),
      }),
    );
    return { status: response.status, ms: Date.now() - started };
  };

  it("When Table Storage refuses with 403 (a wrong key), then a sender gets unavailable and the operator an error, never forbidden", async () => {
    const sender = await app.client();
    app.configure({
      ...DEADLINES,
      AzureWebJobsStorage: storage().replace(
        /AccountKey=[^;]+/,
        `AccountKey=${Buffer.from("wrong").toString("base64")}`,
      ),
    });
    const ack = (await sender.say({ type: "send", user: "x", data: 1 })).json();
    expect(ack).toMatchObject({ ok: false, error: { code: "unavailable" } });
    const line = app.logs.find((entry) => entry.level === "error");
    expect(line?.text).toMatch(/"dependency":"table".*"status":403/);
  });

  it("When Table Storage never answers, then connect fails with 500 within the storage deadline", async () => {
    const silent = await silentServer();
    try {
      const { status, ms } = await connectStatus({
        AzureWebJobsStorage: withTableEndpoint(storage(), silent.endpoint),
      });
      expect(status).toBe(500);
      // The storage deadline (400 ms), well before the event's (1,500 ms).
      expect(ms).toBeLessThan(1200);
      expect(
        app.logs.some(
          (line) =>
            line.level === "error" && /"dependency":"table".*"reason":"timeout"/.test(line.text),
        ),
      ).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it("When Table Storage is stopped, then disconnected answers 500 within the event deadline, so the service may retry", async () => {
    app.configure({
      ...DEADLINES,
      AzureWebJobsStorage: withTableEndpoint(storage(), "http://127.0.0.1:9/devstoreaccount1"),
    });
    const started = Date.now();
    const response = await app.call(
      events,
      app.event({ event: "disconnected", connectionId: uniqueId() }),
    );
    expect(response.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(1500 + 500);
  });

  it("When one call hangs past the event's deadline, then the event is answered by its deadline", async () => {
    const silent = await silentServer();
    try {
      const { status, ms } = await connectStatus({
        AzureWebJobsStorage: withTableEndpoint(storage(), silent.endpoint),
        SWITCHBOARD_STORAGE_TIMEOUT_MS: "60000",
        SWITCHBOARD_EVENT_TIMEOUT_MS: "600",
      });
      expect(status).toBe(500);
      // Its calls are aborted a tenth before it (540 ms), and it is answered by 600 ms.
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(ms).toBeLessThan(1500);
    } finally {
      await silent.close();
    }
  });

  it("When the table disappears (Azurite restarted empty), then the next event creates it again and succeeds", async () => {
    await app.client();
    const raw = TableClient.fromConnectionString(storage(), app.table, {
      allowInsecureConnection: true,
    });
    await raw.deleteTable();
    // Azurite may take a moment to free the name; the app retries creation once per call.
    const client = await app.client({ userId: "after-restart" });
    expect((await app.tableRows.connectionRow(client.connectionId))?.userId).toBe("after-restart");
  });
});

describe("fault injection: state repair", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start(DEADLINES));
  afterAll(async () => await app.stop());

  /** A store whose client throws at the `n`-th write (upsert, create, update or delete). */
  const storeFailingAtWrite = (n: number, presenceGroups: readonly GroupPattern[] = []) => {
    let writes = 0;
    const raw = TableClient.fromConnectionString(inject("tableConnectionString"), app.table, {
      allowInsecureConnection: true,
    });
    const client = new Proxy(raw, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        const write = ["upsertEntity", "createEntity", "updateEntity", "deleteEntity"].includes(
          String(property),
        );
        return async (...args: unknown[]) => {
          if (write && ++writes === n) throw new Error("storage failed mid-way");
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    return new TableStateStore(
      new TableAccess(async () => await Promise.resolve(client), 400),
      presenceGroups,
    );
  };

  const rowsOf = async (connectionId: string, userId: string, groups: string[]) => [
    ...(await app.tableRows.partition(Keys.groupsOfConnection(app.hub, connectionId))),
    ...(await app.tableRows.partition(Keys.slotsOfUser(app.hub, userId))),
    ...(await app.tableRows.partition(Keys.connectionsOfUser(app.hub, userId))),
    ...(
      await Promise.all(groups.map(async (group) => await app.tableRows.groupMembers(group)))
    ).flat(),
    ...((await app.tableRows.connectionRow(connectionId)) === undefined ? [] : ["connection row"]),
  ];

  it.each([1, 2, 3, 4, 5, 6])(
    "When a disconnect stops at its write %i, then one reconcile run and the purge leave no row behind",
    async (failAt) => {
      const userId = uniqueId("u");
      const groups = [uniqueId("g"), uniqueId("g")];
      app.configure({ ...DEADLINES, SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "2" });
      const client = await app.client({ userId, groups });
      const healthy = app.runtime;
      app.runtime = createRuntime(healthy.config, { store: storeFailingAtWrite(failAt) });
      await client.disconnect();
      app.runtime = healthy;
      app.recorder.connections.delete(client.connectionId);
      expect((await rowsOf(client.connectionId, userId, groups)).length).toBeGreaterThan(0);
      const report = await reconcileConnections(
        healthy,
        silentLog,
        new Date(Date.now() + 2 * 60 * 60_000),
      );
      expect(report.complete).toBe(true);
      expect(await rowsOf(client.connectionId, userId, groups)).toEqual([]);
    },
  );

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "When a disconnect stops at its write %i in presence groups, then one reconcile run leaves no row behind and each group hears offline once",
    async (failAt) => {
      const userId = uniqueId("u");
      const groups = [uniqueId("g"), uniqueId("g")];
      app.configure({ ...DEADLINES, SWITCHBOARD_PRESENCE_GROUPS: "*" });
      const client = await app.client({ userId, groups });
      const healthy = app.runtime;
      app.runtime = createRuntime(healthy.config, {
        store: storeFailingAtWrite(failAt, healthy.config.presenceGroups),
      });
      app.recorder.clear();
      await client.disconnect();
      app.runtime = healthy;
      await reconcileConnections(healthy, silentLog, new Date(Date.now() + 2 * 60 * 60_000));

      for (const group of groups) {
        expect(app.recorder.callsTo("groups", group, ":send").map((call) => call.body)).toEqual([
          expect.objectContaining({ type: "presence", user: userId, state: "offline" }),
        ]);
        expect(await app.tableRows.partition(Keys.presenceOfGroup(app.hub, group))).toEqual([]);
      }
      expect(await rowsOf(client.connectionId, userId, groups)).toEqual([]);
    },
  );

  it.each([1, 2, 3, 4])(
    "When a connect stops at its write %i, then one reconcile run and the purge leave no row behind",
    async (failAt) => {
      const userId = uniqueId("u");
      const groups = [uniqueId("g")];
      const connectionId = uniqueId();
      app.configure({ ...DEADLINES, SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "2" });
      const healthy = app.runtime;
      app.runtime = createRuntime(healthy.config, { store: storeFailingAtWrite(failAt) });
      const response = await app.call(
        events,
        app.event({
          event: "connect",
          connectionId,
          userId,
          body: JSON.stringify({ claims: { sub: [userId], "webpubsub.group": groups } }),
        }),
      );
      app.runtime = healthy;
      expect(response.status).toBe(500);
      await reconcileConnections(healthy, silentLog, new Date(Date.now() + 2 * 60 * 60_000), {
        graceMs: 2 * 60_000,
        markerMs: 60 * 60_000,
        budgetMs: 60_000,
        concurrency: 8,
        maxPurges: 5000,
        maxSweepRows: 20_000,
      });
      expect(await rowsOf(connectionId, userId, groups)).toEqual([]);
    },
  );
});
