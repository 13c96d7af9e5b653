import { events } from "../../functions/events.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Keys } from "../../shared/state/keys.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("message protocol", () => {
  const app = new TestApp();
  beforeAll(
    async () =>
      await app.start({
        SWITCHBOARD_MAX_MESSAGE_BYTES: "2048",
        SWITCHBOARD_JOIN_GROUPS: "*",
        SWITCHBOARD_ECHO_RAW_FRAMES: "true",
      }),
  );
  afterAll(async () => await app.stop());
  beforeEach(() => app.recorder.clear());

  const client = async (userId = uniqueId("u")) => await app.client({ userId });

  it("When a client joins a group, then the service adds it and Table Storage records it", async () => {
    const alice = await client();
    const response = await alice.say({ type: "join", group: "lobby", id: 1 });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "Content-Type": "application/json; charset=utf-8" });
    expect(response.json()).toEqual({ type: "ack", id: 1, ok: true });
    expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
      ["PUT", "groups", "lobby", "connections", alice.connectionId],
    ]);
    expect(app.recorder.rejected).toEqual([]);
    expect(await app.tableRows.groupMembers("lobby")).toContain(alice.connectionId);
  });

  it("When a member sends to its group, then ONE REST call carries the envelope", async () => {
    const alice = await client("alice");
    await alice.say({ type: "join", group: "room-1" });
    app.recorder.clear();
    const response = await alice.say({
      type: "send",
      group: "room-1",
      data: { text: "hi" },
      id: "m-1",
    });
    const ack = response.json();
    expect(ack).toMatchObject({ type: "ack", id: "m-1", ok: true });
    expect(app.recorder.calls).toHaveLength(1);
    const [call] = app.recorder.calls;
    expect(call?.method).toBe("POST");
    expect(call?.segments).toEqual(["groups", "room-1", ":send"]);
    expect(call?.contentType).toMatch(/^application\/json/);
    expect(call?.body).toEqual({
      type: "message",
      id: ack.messageId,
      from: "alice",
      group: "room-1",
      data: { text: "hi" },
      at: expect.any(String),
    });
    expect(new Date((call?.body as { at: string }).at).getTime()).toBeGreaterThan(
      Date.now() - 10_000,
    );
  });

  it("When a client sends to a group it has not joined, then forbidden and nothing is routed", async () => {
    const mallory = await client();
    const response = await mallory.say({ type: "send", group: "secret", data: "x", id: 7 });
    expect(response.json()).toEqual({
      type: "ack",
      id: 7,
      ok: false,
      error: { code: "forbidden", message: expect.stringMatching(/join .secret. before sending/) },
    });
    expect(app.recorder.calls).toEqual([]);
  });

  it("When a client leaves a group, then it can no longer send to it", async () => {
    const bob = await client();
    await bob.say({ type: "join", group: "temp" });
    expect((await bob.say({ type: "leave", group: "temp", id: 2 })).json()).toEqual({
      type: "ack",
      id: 2,
      ok: true,
    });
    expect(app.recorder.callsTo("groups", "temp", "connections").map((c) => c.method)).toEqual([
      "PUT",
      "DELETE",
    ]);
    expect(await app.tableRows.groupMembers("temp")).not.toContain(bob.connectionId);
    app.recorder.clear();
    expect((await bob.say({ type: "send", group: "temp", data: 1 })).json()).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect(app.recorder.calls).toEqual([]);
  });

  it("When a client sends to a user, then one sendToUser call carries the envelope", async () => {
    const carol = await client("carol");
    const response = await carol.say({ type: "send", user: "dave/🚀", data: [1, 2], id: 3 });
    expect(response.json()).toMatchObject({ type: "ack", id: 3, ok: true });
    expect(app.recorder.calls).toHaveLength(1);
    expect(app.recorder.calls[0]?.segments).toEqual(["users", "dave/🚀", ":send"]);
    expect(app.recorder.calls[0]?.body).toMatchObject({
      type: "message",
      from: "carol",
      user: "dave/🚀",
      data: [1, 2],
    });
  });

  it.each([
    ["a user named '..'", { type: "send", user: "..", data: "everyone?" }],
    ["a group named '.'", { type: "send", group: ".", data: "everyone?" }],
    ["a join of a group named '..'", { type: "join", group: ".." }],
  ])(
    "When a client addresses %s (a path segment URL parsing removes), then it is refused and nothing reaches the service",
    async (_, message) => {
      const mallory = await app.client({ roles: ["webpubsub.joinLeaveGroup"] });
      const response = await mallory.say({ ...message, id: 9 });
      expect(response.json()).toMatchObject({
        id: 9,
        ok: false,
        error: { code: "bad_message", message: expect.stringMatching(/'\.' or '\.\.'/) },
      });
      expect(app.recorder.calls).toEqual([]);
    },
  );

  it("When a message sets 'from', then it is refused as forbidden", async () => {
    const eve = await client("eve");
    const response = await eve.say({ type: "send", user: "bob", from: "admin", data: "x", id: 4 });
    expect(response.json()).toMatchObject({
      id: 4,
      ok: false,
      error: { code: "forbidden", message: expect.stringMatching(/from/) },
    });
    expect(app.recorder.calls).toEqual([]);
  });

  it("When a message is larger than the limit, then too_large and nothing is routed", async () => {
    const frank = await client();
    await frank.say({ type: "join", group: "big" });
    app.recorder.clear();
    const response = await frank.say({ type: "send", group: "big", data: "x".repeat(3000), id: 5 });
    expect(response.json()).toMatchObject({ id: 5, ok: false, error: { code: "too_large" } });
    expect(app.recorder.calls).toEqual([]);
  });

  it.each([
    ["not JSON", "bad_message", "{oops", undefined],
    ["an array", "bad_message", [1, 2], undefined],
    ["a type that is not a string", "bad_message", { type: 5, id: 9 }, 9],
    ["an unknown type", "unknown_type", { type: "explode", id: 10 }, 10],
    ["a send with no target", "bad_message", { type: "send", data: 1, id: 11 }, 11],
    [
      "a send to a group and a user",
      "bad_message",
      { type: "send", group: "g", user: "u", data: 1, id: 12 },
      12,
    ],
    ["a send without data", "bad_message", { type: "send", group: "g", id: 13 }, 13],
    ["a blank group name", "bad_message", { type: "join", group: "   ", id: 14 }, 14],
    [
      "a group name over 1024 characters",
      "bad_message",
      { type: "join", group: "g".repeat(1025), id: 15 },
      15,
    ],
    ["a non-string group", "bad_message", { type: "join", group: { $ne: 1 }, id: 16 }, 16],
    ["a group with a lone surrogate", "bad_message", { type: "join", group: "\ud800", id: 17 }, 17],
    [
      "a user with a lone surrogate",
      "bad_message",
      { type: "send", user: "a\udc00", data: 1, id: 18 },
      18,
    ],
    [
      "nested deeper than 32 levels",
      "bad_message",
      {
        type: "send",
        user: "u",
        data: JSON.parse("[".repeat(40) + "]".repeat(40)) as unknown,
        id: 19,
      },
      19,
    ],
  ])("When the message is %s, then a %s ack and nothing is routed", async (_, code, body, id) => {
    const sender = await client();
    app.recorder.clear();
    const response = await sender.say(body);
    expect(response.status).toBe(200);
    const ack = response.json();
    expect(ack).toMatchObject({
      type: "ack",
      ok: false,
      error: { code, message: expect.any(String) },
    });
    expect(ack.id).toBe(id);
    expect(app.recorder.calls).toEqual([]);
  });

  it("When the service refuses a call with 4xx, then the sender gets an error ack, not a 500", async () => {
    const sender = await client();
    app.recorder.refusedNames.add("nobody-allowed");
    const response = await sender.say({ type: "send", user: "nobody-allowed", data: 1, id: 30 });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({
      id: 30,
      ok: false,
      error: { code: "bad_message", message: expect.stringMatching(/400/) },
    });
  });

  it("When the store has recorded a disconnect the service has not yet seen, then a join is refused and nothing is called", async () => {
    const late = await client();
    await app.runtime.store.removeConnection(app.hub, late.connectionId, late.userId);
    app.recorder.clear();
    expect((await late.say({ type: "join", group: "undone", id: 31 })).json()).toMatchObject({
      id: 31,
      ok: false,
      error: { code: "gone" },
    });
    expect(app.recorder.calls).toEqual([]);
    expect(await app.tableRows.groupMembers("undone")).toEqual([]);
  });

  it("When the service no longer has the connection, then a join is refused with 'gone' and the store's rows are taken back", async () => {
    const vanished = await client();
    app.recorder.connections.delete(vanished.connectionId);
    expect((await vanished.say({ type: "join", group: "vanished", id: 32 })).json()).toMatchObject({
      id: 32,
      ok: false,
      error: { code: "gone" },
    });
    expect(app.recorder.calls.map((c) => c.method)).toEqual(["PUT"]);
    expect(await app.tableRows.groupMembers("vanished")).toEqual([]);
    expect(
      await app.tableRows.partition(Keys.groupsOfConnection(app.hub, vanished.connectionId)),
    ).toEqual([]);
  });

  it("When joining a group it is already in fails at the service, then the membership it had stays", async () => {
    const kept = await client();
    expect((await kept.say({ type: "join", group: "kept" })).json()).toMatchObject({ ok: true });
    app.recorder.refusedNames.add("kept");
    try {
      expect((await kept.say({ type: "join", group: "kept" })).json()).toMatchObject({
        ok: false,
      });
    } finally {
      app.recorder.refusedNames.delete("kept");
    }
    expect(await app.tableRows.groupMembers("kept")).toEqual([kept.connectionId]);
  });

  it("When a raw client sends text, then it is echoed back as text", async () => {
    const raw = await client();
    const response = await raw.say("hello there", { contentType: "text/plain" });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "Content-Type": "text/plain; charset=utf-8" });
    expect(response.text).toBe("hello there");
    expect(app.recorder.calls).toEqual([]);
  });

  it("When a raw client sends binary, then the same bytes are echoed back", async () => {
    const raw = await client();
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const response = await raw.say(bytes, { contentType: "application/octet-stream" });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "Content-Type": "application/octet-stream" });
    expect([...(response.body as Uint8Array)]).toEqual([...bytes]);
  });

  it("When a raw frame is over the limit, then 413", async () => {
    const raw = await client();
    expect((await raw.say("y".repeat(4096), { contentType: "text/plain" })).status).toBe(413);
  });

  it("When a member asks for a group's members, then it gets their user ids", async () => {
    const [a, b] = [await client("ann"), await client("ben")];
    await a.say({ type: "join", group: "team" });
    await b.say({ type: "join", group: "team" });
    const ack = (await a.say({ type: "members", group: "team", id: 20 })).json();
    expect(ack).toMatchObject({ ok: true, id: 20, truncated: false });
    expect([...(ack.members as string[])].sort()).toEqual(["ann", "ben"]);
    const outsider = await client("olga");
    expect((await outsider.say({ type: "members", group: "team" })).json()).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
  });

  it("When the connection is gone, then a join is refused with 'gone' and nothing is stored", async () => {
    const ghost = await client();
    await app.call(
      events,
      app.event({
        event: "disconnected",
        connectionId: ghost.connectionId,
        userId: ghost.userId,
      }),
    );
    app.recorder.connections.delete(ghost.connectionId);
    expect((await ghost.say({ type: "join", group: "after" })).json()).toMatchObject({
      ok: false,
      error: { code: "gone" },
    });
    expect(await app.tableRows.groupMembers("after")).toEqual([]);
  });

  it("When a client joins before its connected event is processed, then the join holds and disconnect removes it", async () => {
    const connectionId = uniqueId();
    const connect = app.event({
      event: "connect",
      connectionId,
      userId: "quick",
      body: JSON.stringify({ claims: { sub: ["quick"] } }),
    });
    expect((await app.call(events, connect)).status).toBe(204);
    app.recorder.connections.add(connectionId);
    const early = app.event({
      event: "message",
      connectionId,
      userId: "quick",
      body: JSON.stringify({ type: "join", group: "early" }),
    });
    expect(JSON.parse((await app.call(events, early)).text)).toMatchObject({ ok: true });
    const connected = app.event({ event: "connected", connectionId, userId: "quick" });
    expect((await app.call(events, connected)).status).toBe(204);
    expect(await app.tableRows.groupMembers("early")).toEqual([connectionId]);
    await app.call(events, app.event({ event: "disconnected", connectionId, userId: "quick" }));
    expect(await app.tableRows.groupMembers("early")).toEqual([]);
  });

  it("When an event is delivered again, then it is routed once and both answers carry the same message id", async () => {
    const gina = await client("gina");
    const retry = () =>
      app.call(
        events,
        app.event({
          event: "message",
          connectionId: gina.connectionId,
          userId: "gina",
          eventId: "42",
          body: JSON.stringify({ type: "send", user: "x", data: 1 }),
        }),
      );
    const first = JSON.parse((await retry()).text) as { messageId: string };
    const again = JSON.parse((await retry()).text) as { messageId: string };
    const ids = app.recorder.calls.map((c) => (c.body as { id: string }).id);
    expect(ids).toEqual([first.messageId]);
    expect(again.messageId).toBe(first.messageId);
  });

  it("When a member sends several messages, then they reach the service in order", async () => {
    const hank = await client();
    await hank.say({ type: "join", group: "ordered" });
    app.recorder.clear();
    for (let i = 0; i < 5; i++) await hank.say({ type: "send", group: "ordered", data: i });
    expect(app.recorder.calls.map((c) => (c.body as { data: number }).data)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});

describe("text and binary frames without SWITCHBOARD_ECHO_RAW_FRAMES", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());

  it.each([
    ["text", "text/plain", "hello"],
    ["binary", "application/octet-stream", new Uint8Array([1, 2, 3])],
  ] as const)(
    "When a JSON-subprotocol client sends a %s frame, then an ack explains that only JSON messages are taken",
    async (_, contentType, body) => {
      const client = await app.client({ subprotocol: "json.webpubsub.azure.v1" });
      const response = await client.say(body, { contentType });
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({
        type: "ack",
        ok: false,
        error: {
          code: "bad_message",
          message: expect.stringMatching(/JSON protocol messages.*SWITCHBOARD_ECHO_RAW_FRAMES/),
        },
      });
      expect(app.recorder.calls).toEqual([]);
    },
  );

  it("When a plain WebSocket client sends a frame, then 400 with the reason and no echo", async () => {
    const client = await app.client();
    const response = await client.say("hello", { contentType: "text/plain" });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/text and binary frames are not accepted/);
  });
});

describe("message limits", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ SWITCHBOARD_MESSAGES_PER_MINUTE: "3" }));
  afterAll(async () => await app.stop());

  it("When data is nested 5,000 levels deep (within the size limit), then bad_message, not a 500", async () => {
    const ivy = await app.client({ userId: "ivy" });
    const raw = `{"type":"send","user":"x","id":"deep","data":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect((await ivy.say(raw)).json()).toMatchObject({
      id: "deep",
      ok: false,
      error: { code: "bad_message" },
    });
  });

  it("When a connection exceeds its rate, then rate_limited and nothing more is routed", async () => {
    const ivy = await app.client({ userId: "ivy" });
    app.recorder.clear();
    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push((await ivy.say({ type: "send", user: "x", data: i, id: i })).json());
    expect(acks.map((ack) => ack.ok)).toEqual([true, true, true, false, false]);
    expect(acks[3]).toMatchObject({ id: 3, error: { code: "rate_limited" } });
    expect(app.recorder.calls).toHaveLength(3);
    const other = await app.client({ userId: "ivy" });
    expect((await other.say({ type: "send", user: "x", data: "other connection" })).json().ok).toBe(
      true,
    );
  });
});
