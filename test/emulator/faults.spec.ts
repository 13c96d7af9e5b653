import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import { Harness, dataMessages } from "./support/harness.js";
import { sdkFailure } from "./support/sdkError.js";
import {
  acceptEverything,
  isEvent,
  UpstreamRecorder,
  type RecordedRequest,
} from "./support/UpstreamRecorder.js";
import { waitFor } from "./support/waitFor.js";

/** The `ce-eventName`s of the POSTs about one connection, in the order they arrived. */
const lifecycleOf = (upstream: UpstreamRecorder, connectionId: string) =>
  upstream.requests
    .filter((r) => r.method === "POST" && r.headers["ce-connectionid"] === connectionId)
    .map((r) => r.headers["ce-eventname"]);

const ceIds = (requests: RecordedRequest[]) => requests.map((r) => r.headers["ce-id"]);

describe("emulator faults: upstream events", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  const log: string[] = [];
  const logged = async (text: string) =>
    await waitFor(() => log.find((line) => line.includes(text)), `the log line '${text}'`);

  beforeAll(async () => {
    await upstream.start();
    await harness.start({ log: (line) => log.push(line) });
    harness.sendEverythingTo(upstream.urlTemplate);
  });
  beforeEach(() => {
    upstream.reply = acceptEverything;
    harness.emulator.clearFaults();
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
  });

  it("When duplicateEvents is on, then every event arrives twice with the same ce-id and the client sees only the first answers", async () => {
    harness.emulator.setFaults({ duplicateEvents: true });
    const answered = new Map<string, number>();
    upstream.reply = (request) => {
      if (request.method !== "POST") return acceptEverything(request);
      const key = `${String(request.headers["ce-connectionid"])}/${String(request.headers["ce-id"])}`;
      const nth = (answered.get(key) ?? 0) + 1;
      answered.set(key, nth);
      if (isEvent(request, "connect")) {
        return {
          status: 200,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ userId: nth === 1 ? "first-answer" : "second-answer" }),
        };
      }
      if (isEvent(request, "greet")) {
        return { status: 200, headers: { "Content-Type": "text/plain" }, body: `answer ${nth}` };
      }
      return { status: 204 };
    };

    const client = await harness.connect({ userId: "dup" });
    expect(client.userId).toBe("first-answer");
    client.socket.send({ type: "event", event: "greet", dataType: "text", data: "hi", ackId: 1 });
    expect(await client.socket.ack(1)).toMatchObject({ success: true });
    await logged(`fault: duplicated connect of ${client.connectionId}`);
    await logged(`fault: duplicated greet of ${client.connectionId}`);
    client.socket.close();
    await waitFor(
      () => upstream.events("disconnected", client.connectionId).length === 2,
      "both disconnected events",
    );

    for (const name of ["connect", "connected", "greet", "disconnected"]) {
      const sent = upstream.events(name, client.connectionId);
      expect(sent, name).toHaveLength(2);
      expect(sent[1]?.headers["ce-id"], name).toBe(sent[0]?.headers["ce-id"]);
      expect(sent[1]?.headers["ce-time"], name).toBe(sent[0]?.headers["ce-time"]);
      expect(sent[1]?.body, name).toEqual(sent[0]?.body);
    }
    expect(dataMessages(client).map((m) => m.data)).toEqual(["answer 1"]);
  });

  it("When duplicateEvents names events, then only those are sent twice", async () => {
    harness.emulator.setFaults({ duplicateEvents: ["connected"] });
    const client = await harness.connect({ userId: "dup-some" });
    client.socket.close();
    await upstream.waitForEvent("disconnected", client.connectionId);

    expect(lifecycleOf(upstream, client.connectionId)).toEqual([
      "connect",
      "connected",
      "connected",
      "disconnected",
    ]);
    const connected = upstream.events("connected", client.connectionId);
    expect(new Set(ceIds(connected)).size).toBe(1);
  });

  it("When reorderLifecycle is on and a client leaves, then disconnected arrives before connected", async () => {
    harness.emulator.setFaults({ reorderLifecycle: true });
    const client = await harness.connect({ userId: "reorder" });
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    expect(upstream.events("connected", client.connectionId)).toEqual([]);
    client.socket.close();
    await upstream.waitForEvent("connected", client.connectionId);

    expect(lifecycleOf(upstream, client.connectionId)).toEqual([
      "connect",
      "disconnected",
      "connected",
    ]);
    const [connect, disconnected, connected] = upstream.requests.filter(
      (r) => r.method === "POST" && r.headers["ce-connectionid"] === client.connectionId,
    );
    expect(Number(connected?.headers["ce-id"])).toBeLessThan(
      Number(disconnected?.headers["ce-id"]),
    );
    expect(connect?.headers["ce-id"]).toBe("0");
  });

  it("When reorderLifecycle is switched off, then the connected events it held are sent at once", async () => {
    harness.emulator.setFaults({ reorderLifecycle: true });
    const client = await harness.connect({ userId: "held" });
    expect(upstream.events("connected", client.connectionId)).toEqual([]);
    harness.emulator.setFaults({ reorderLifecycle: false });
    await upstream.waitForEvent("connected", client.connectionId);

    expect(harness.emulator.faults).toEqual({});
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    client.socket.close();
    await upstream.waitForEvent("disconnected", client.connectionId);
    expect(lifecycleOf(upstream, client.connectionId)).toEqual([
      "connect",
      "connected",
      "disconnected",
    ]);
  });

  it("When dropDisconnected is on and a client leaves, then the connection is gone and no disconnected arrives", async () => {
    harness.emulator.setFaults({ dropDisconnected: true });
    const dropped = await harness.connect({ userId: "dropped" });
    await upstream.waitForEvent("connected", dropped.connectionId);
    dropped.socket.close();
    await logged(`fault: dropped the disconnected event of ${dropped.connectionId}`);
    expect(await harness.service.connectionExists(dropped.connectionId)).toBe(false);

    // Switched off, the next connection's disconnected arrives: the lost one stays lost.
    harness.emulator.setFaults({ dropDisconnected: false });
    const later = await harness.connect({ userId: "not-dropped" });
    later.socket.close();
    await upstream.waitForEvent("disconnected", later.connectionId);
    expect(lifecycleOf(upstream, dropped.connectionId)).toEqual(["connect", "connected"]);
  });
});

describe("emulator faults: REST", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  beforeEach(() => harness.emulator.clearFaults());
  afterAll(async () => await harness.stop());

  it("When REST calls are delayed, then a matching call takes at least the delay and others are not held up", async () => {
    const delayMs = 400;
    harness.emulator.setFaults({ rest: { delayMs, match: "/:send" } });
    const client = await harness.connect({ userId: "slow" });
    const started = performance.now();
    let settled = false;
    const sending = harness.service.sendToAll({ late: true }).finally(() => (settled = true));

    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    expect(settled).toBe(false);
    await sending;
    // Node's timers may fire a fraction of a millisecond early by performance.now.
    expect(performance.now() - started).toBeGreaterThanOrEqual(delayMs - 1);
    const message = await client.socket.nextMessage((m) => m.type === "message");
    expect(message.data).toEqual({ late: true });
  });

  it("When failWith 429 is set for two calls, then two calls get 429 with Retry-After and the third is handled", async () => {
    harness.emulator.setFaults({
      rest: { failWith: 429, failCount: 2, retryAfterSeconds: 7, match: "/:send" },
    });
    const client = await harness.connect({ userId: "throttled" });
    for (const attempt of [1, 2]) {
      const restError = await sdkFailure(harness.service.sendToAll({ attempt }));
      expect(restError.statusCode).toBe(429);
      expect(restError.code).toBe("Emulator.Fault");
      expect(restError.response?.headers.get("retry-after")).toBe("7");
      expect(restError.response?.headers.get("x-ms-error-code")).toBe("Emulator.Fault");
    }
    await harness.service.sendToAll({ attempt: 3 });
    await client.socket.nextMessage((m) => m.type === "message");
    expect(dataMessages(client).map((m) => m.data)).toEqual([{ attempt: 3 }]);
  });

  it("When one call is throttled, then the SDK's own retry waits the Retry-After and the call goes through", async () => {
    harness.emulator.setFaults({
      rest: { failWith: 429, failCount: 1, retryAfterSeconds: 1, match: "/:send" },
    });
    const client = await harness.connect({ userId: "sdk-retry" });
    const retrying = new WebPubSubServiceClient(harness.emulator.connectionString, harness.hub, {
      allowInsecureConnection: true,
    });
    const statuses: number[] = [];
    const started = performance.now();
    await retrying.sendToAll({ retried: true }, { onResponse: (r) => statuses.push(r.status) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(999);
    expect(statuses).toEqual([202]);
    const message = await client.socket.nextMessage((m) => m.type === "message");
    expect(message.data).toEqual({ retried: true });
  });

  it.each([
    [500, null],
    [503, "1"],
  ])(
    "When failWith %i is set, then matching calls fail with it (Retry-After %s) and do nothing",
    async (status, retryAfter) => {
      harness.emulator.setFaults({ rest: { failWith: status, match: "/groups/" } });
      const client = await harness.connect({ userId: `fail-${status}` });
      const error = await sdkFailure(harness.service.group("g").addConnection(client.connectionId));
      expect(error.statusCode).toBe(status);
      expect(error.response?.headers.get("retry-after") ?? null).toBe(retryAfter);
      expect(JSON.parse(error.response?.bodyAsText ?? "")).toEqual({
        code: "Emulator.Fault",
        message: `Injected fault: ${status}.`,
        target: "Request",
        details: null,
        innererror: null,
      });
      harness.emulator.clearFaults();
      expect(await harness.service.groupExists("g")).toBe(false);
    },
  );

  it("When a fault matches with a predicate, then only the calls it picks fail", async () => {
    harness.emulator.setFaults({
      rest: {
        failWith: 500,
        match: (method, path) => method === "HEAD" && path.includes("/users/"),
      },
    });
    const client = await harness.connect({ userId: "picked" });
    await expect(harness.service.userExists("picked")).rejects.toMatchObject({ statusCode: 500 });
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
  });

  it("When REST calls hang, then no answer comes before the client aborts and nothing is done", async () => {
    harness.emulator.setFaults({ rest: { hang: true, match: "/:send" } });
    const client = await harness.connect({ userId: "hung" });
    let answered = false;
    const error = await harness.service
      .sendToAll({ never: true }, { abortSignal: AbortSignal.timeout(300) })
      .then(() => (answered = true))
      .catch((e: unknown) => e);
    expect(answered).toBe(false);
    expect((error as Error).name).toBe("AbortError");

    harness.emulator.clearFaults();
    await harness.service.sendToAll({ after: true });
    await client.socket.nextMessage((m) => m.type === "message");
    expect(dataMessages(client).map((m) => m.data)).toEqual([{ after: true }]);
  });

  it("When a hung call is pending and the emulator closes, then close returns and the call fails", async () => {
    const log: string[] = [];
    const emulator = await startEmulator({
      port: 0,
      faults: { rest: { hang: true } },
      log: (line) => log.push(line),
    });
    let settled = false;
    const pending = fetch(`${emulator.url}/api/health`, { method: "HEAD" })
      .then(
        (response) => response.status,
        (e: unknown) => e,
      )
      .finally(() => (settled = true));
    await waitFor(() => log.includes("fault: REST call hangs: HEAD /api/health"), "the hang");
    expect(settled).toBe(false);
    await emulator.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe("emulator faults: options", () => {
  it("When faults are given to startEmulator, then they apply from the start and setFaults changes them", async () => {
    const harness = await new Harness().start({
      faults: { rest: { failWith: 503, failCount: 1 }, dropDisconnected: true },
    });
    try {
      expect(harness.emulator.faults).toEqual({
        rest: { failWith: 503, failCount: 1 },
        dropDisconnected: true,
      });
      await expect(harness.service.userExists("anyone")).rejects.toMatchObject({
        statusCode: 503,
      });
      expect(await harness.service.userExists("anyone")).toBe(false);

      harness.emulator.setFaults({ rest: { failWith: 500 }, duplicateEvents: ["connect"] });
      expect(harness.emulator.faults).toEqual({
        rest: { failWith: 500 },
        dropDisconnected: true,
        duplicateEvents: ["connect"],
      });
      await expect(harness.service.userExists("anyone")).rejects.toMatchObject({
        statusCode: 500,
      });
      harness.emulator.clearFaults();
      expect(harness.emulator.faults).toEqual({});
      expect(await harness.service.userExists("anyone")).toBe(false);
      expect(() => harness.emulator.setFaults({ rest: { failWith: 200 } })).toThrow(RangeError);
      expect(harness.emulator.faults).toEqual({});
    } finally {
      await harness.stop();
    }
  });
});
