import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Harness, RELIABLE_PROTOCOL } from "./support/harness.js";
import { acceptEverything, isEvent, UpstreamRecorder } from "./support/UpstreamRecorder.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator upstream: user events and connection lifecycle", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  beforeAll(async () => {
    await upstream.start();
    await harness.start({ recoveryWindowMs: 300 });
  });
  beforeEach(() => {
    upstream.reply = acceptEverything;
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [
        {
          urlTemplate: upstream.urlTemplate,
          userEventPattern: "message,greet,fail,bad",
          systemEvents: ["connected", "disconnected"],
        },
      ],
    });
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
  });

  const eventsOf = (userId: string) =>
    upstream.requests.filter((r) => r.method === "POST" && r.headers["ce-userid"] === userId);

  it("When a raw client sends text and binary frames, then each becomes a message event and a 200 answer comes back as a frame", async () => {
    upstream.reply = (request) => {
      if (!isEvent(request, "message")) return acceptEverything(request);
      return request.headers["content-type"] === "text/plain"
        ? {
            status: 200,
            headers: { "Content-Type": "text/plain" },
            body: `echo ${request.body.toString()}`,
          }
        : {
            status: 200,
            headers: { "Content-Type": "application/octet-stream" },
            body: request.body,
          };
    };
    const raw = await harness.connectRaw({ userId: "raw" });
    raw.send("hello");
    await waitFor(() => raw.frames.length === 1, "the text answer");
    raw.send(Buffer.from([9, 8, 7]));
    await waitFor(() => raw.frames.length === 2, "the binary answer");
    expect(raw.frames).toEqual([
      { data: "echo hello", isBinary: false },
      { data: Buffer.from([9, 8, 7]), isBinary: true },
    ]);
    const messages = eventsOf("raw").filter((r) => r.headers["ce-eventname"] === "message");
    expect(
      messages.map((r) => [
        r.headers["ce-type"],
        r.headers["content-type"],
        r.headers["ce-subprotocol"],
      ]),
    ).toEqual([
      ["azure.webpubsub.user.message", "text/plain", undefined],
      ["azure.webpubsub.user.message", "application/octet-stream", undefined],
    ]);
  });

  it("When a JSON client sends events of each data type, then the handler gets matching bodies and its answer returns to the sender before the ack", async () => {
    upstream.reply = (request) =>
      isEvent(request, "greet")
        ? { status: 200, headers: { "Content-Type": "application/json" }, body: request.body }
        : acceptEverything(request);
    const client = await harness.connect({ userId: "events" });
    client.socket.send({
      type: "event",
      event: "greet",
      dataType: "json",
      data: { a: 1 },
      ackId: 1,
    });
    client.socket.send({ type: "event", event: "greet", dataType: "text", data: "t", ackId: 2 });
    client.socket.send({
      type: "event",
      event: "greet",
      dataType: "binary",
      data: "AAE=",
      ackId: 3,
    });
    await client.socket.ack(3);
    const greets = eventsOf("events").filter((r) => r.headers["ce-eventname"] === "greet");
    expect(
      greets.map((r) => [
        r.headers["ce-type"],
        r.headers["content-type"],
        r.body.toString("base64"),
      ]),
    ).toEqual([
      ["azure.webpubsub.user.greet", "application/json", Buffer.from('{"a":1}').toString("base64")],
      ["azure.webpubsub.user.greet", "text/plain", Buffer.from("t").toString("base64")],
      ["azure.webpubsub.user.greet", "application/octet-stream", "AAE="],
    ]);
    const kinds = client.socket.messages.slice(1, 3).map((m) => m.type);
    expect(kinds).toEqual(["message", "ack"]);
    expect(client.socket.messages[1]).toEqual({
      type: "message",
      from: "server",
      dataType: "json",
      data: { a: 1 },
    });
  });

  it("When the handler answers 500, then the event is retried and the ack says InternalServerError; a 400 is not retried", async () => {
    upstream.reply = (request) =>
      isEvent(request, "fail")
        ? { status: 500 }
        : isEvent(request, "bad")
          ? { status: 400 }
          : acceptEverything(request);
    const client = await harness.connect({ userId: "retry" });
    client.socket.send({ type: "event", event: "fail", data: 1, ackId: 1 });
    expect(await client.socket.ack(1)).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
    client.socket.send({ type: "event", event: "bad", data: 1, ackId: 2 });
    expect(await client.socket.ack(2)).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
    const names = eventsOf("retry")
      .map((r) => r.headers["ce-eventname"])
      .filter((n) => n !== "connected");
    expect(names).toEqual(["fail", "fail", "fail", "fail", "bad"]);
    const ids = eventsOf("retry")
      .filter((r) => r.headers["ce-eventname"] === "fail")
      .map((r) => r.headers["ce-id"]);
    expect(new Set(ids).size).toBe(1);
  });

  it("When an event matches no user event pattern, then a JSON client gets InternalServerError and nothing is sent", async () => {
    const client = await harness.connect({ userId: "nomatch" });
    client.socket.send({ type: "event", event: "unknown", data: 1, ackId: 1 });
    expect(await client.socket.ack(1)).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
    expect(eventsOf("nomatch").map((r) => r.headers["ce-eventname"])).not.toContain("unknown");
  });

  it("When a raw client's message fails upstream, then the service closes it with 1011", async () => {
    upstream.reply = (request) =>
      isEvent(request, "message") ? { status: 400 } : acceptEverything(request);
    const raw = await harness.connectRaw({ userId: "raw-fail" });
    raw.send("boom");
    expect((await raw.closed()).code).toBe(1011);
  });

  it("When a client connects, sends and closes, then connected, message and disconnected arrive in order with rising ce-ids", async () => {
    const raw = await harness.connectRaw({ userId: "order" });
    raw.send("one");
    await waitFor(
      () => eventsOf("order").some((r) => r.headers["ce-eventname"] === "message"),
      "the message",
    );
    raw.close();
    await waitFor(
      () => eventsOf("order").some((r) => r.headers["ce-eventname"] === "disconnected"),
      "disconnected",
    );
    expect(eventsOf("order").map((r) => [r.headers["ce-eventname"], r.headers["ce-id"]])).toEqual([
      ["connected", "1"],
      ["message", "2"],
      ["disconnected", "3"],
    ]);
  });

  it("When a hub is configured and used as SampleChat, then every event of it carries ce-hub samplechat whatever case the client's URL has", async () => {
    harness.sendEverythingTo(upstream.urlTemplate, "SampleChat");
    const { url } = await harness.serviceFor("SampleChat").getClientAccessToken({
      userId: "case-mixed",
    });
    expect(new URL(url).pathname).toBe("/client/hubs/SampleChat");
    const mixed = await harness.connectUrl(url);
    mixed.socket.send({ type: "event", event: "greet", data: "hi", dataType: "text", ackId: 1 });
    await mixed.socket.ack(1);
    mixed.socket.close();
    await upstream.waitForEvent("disconnected", mixed.connectionId);
    const upper = await harness.connectUrl(
      (await harness.serviceFor("SAMPLECHAT").getClientAccessToken({ userId: "case-upper" })).url,
    );
    await upstream.waitForEvent("connected", upper.connectionId);

    const hubHeaders = (connectionId: string) =>
      Object.fromEntries(
        upstream.requests
          .filter((r) => r.method === "POST" && r.headers["ce-connectionid"] === connectionId)
          .map((r): [string, unknown] => [String(r.headers["ce-eventname"]), r.headers["ce-hub"]]),
      );
    expect(hubHeaders(mixed.connectionId)).toEqual({
      connect: "samplechat",
      connected: "samplechat",
      greet: "samplechat",
      disconnected: "samplechat",
    });
    expect(hubHeaders(upper.connectionId)).toEqual({
      connect: "samplechat",
      connected: "samplechat",
    });
  });

  it("When a socket dies without a close handshake, then disconnected is sent; for a reliable client after the recovery window", async () => {
    const plain = await harness.connect({ userId: "killed" });
    plain.socket.socket.terminate();
    const plainGone = await waitFor(
      () => eventsOf("killed").find((r) => r.headers["ce-eventname"] === "disconnected"),
      "disconnected",
    );
    expect(JSON.parse(plainGone.body.toString())).toEqual({ reason: expect.any(String) });
    const reliable = await harness.connect({ userId: "killed-reliable" }, RELIABLE_PROTOCOL);
    reliable.socket.socket.terminate();
    await waitFor(
      () => eventsOf("killed-reliable").find((r) => r.headers["ce-eventname"] === "disconnected"),
      "disconnected after the window",
    );
    expect(await harness.service.connectionExists(reliable.connectionId)).toBe(false);
  });
});
