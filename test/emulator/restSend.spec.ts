import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataMessages, Harness } from "./support/harness.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator REST: sending", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  afterAll(async () => await harness.stop());

  /** Waits until a marker sent to everyone arrived, so anything sent before it has too. */
  async function settle(...clients: { socket: { messages: Record<string, unknown>[] } }[]) {
    const marker = `marker-${Math.random()}`;
    await harness.service.sendToAll({ marker });
    for (const client of clients) {
      await waitFor(
        () =>
          client.socket.messages.some(
            (m) => (m.data as { marker?: string } | undefined)?.marker === marker,
          ),
        "the marker",
      );
    }
  }

  it("When sendToAll sends JSON, then every JSON client gets a server message with the parsed data", async () => {
    const a = await harness.connect({ userId: "a" });
    const b = await harness.connect({ userId: "b" });
    await harness.service.sendToAll({ hello: "world" });
    for (const client of [a, b]) {
      const message = await client.socket.nextMessage((m) => m.type === "message");
      expect(message).toEqual({
        type: "message",
        from: "server",
        dataType: "json",
        data: { hello: "world" },
      });
    }
  });

  it("When text, a JSON string and binary are sent, then JSON clients get text, json and base64 and raw clients get frames", async () => {
    const json = await harness.connect({ userId: "mix-json" });
    const raw = await harness.connectRaw({ userId: "mix-raw" });
    await harness.service.sendToUser("mix-json", "plain", { contentType: "text/plain" });
    await harness.service.sendToUser("mix-json", "Hello World");
    await harness.service.sendToUser("mix-json", new Uint8Array([1, 2, 3]));
    await harness.service.sendToUser("mix-raw", "plain", { contentType: "text/plain" });
    await harness.service.sendToUser("mix-raw", "Hello World");
    await harness.service.sendToUser("mix-raw", new Uint8Array([1, 2, 3]));
    await waitFor(() => dataMessages(json).length === 3, "three messages");
    expect(dataMessages(json).map((m) => [m.dataType, m.data])).toEqual([
      ["text", "plain"],
      ["json", "Hello World"],
      ["binary", "AQID"],
    ]);
    await waitFor(() => raw.frames.length === 3, "three frames");
    expect(raw.frames).toEqual([
      { data: "plain", isBinary: false },
      { data: '"Hello World"', isBinary: false },
      { data: Buffer.from([1, 2, 3]), isBinary: true },
    ]);
  });

  it("When sendToAll excludes a connection, then that connection gets nothing", async () => {
    const kept = await harness.connect({ userId: "kept" });
    const excluded = await harness.connect({ userId: "excluded" });
    await harness.service.sendToAll({ n: 1 }, { excludedConnections: [excluded.connectionId] });
    await settle(kept, excluded);
    expect(dataMessages(kept).some((m) => (m.data as { n?: number }).n === 1)).toBe(true);
    expect(dataMessages(excluded).some((m) => (m.data as { n?: number }).n === 1)).toBe(false);
  });

  it("When sendToAll carries an OData filter, then only matching connections get it", async () => {
    const alice = await harness.connect({ userId: "f-alice", groups: ["g1"] });
    const bob = await harness.connect({ userId: "f-bob", groups: ["g2"] });
    const carol = await harness.connect({ userId: "f-carol" });
    const filter = "(userId eq 'f-alice' or 'g2' in groups) and not (connectionId eq 'nope')";
    await harness.service.sendToAll({ filtered: true }, { filter });
    await harness.service.sendToAll({ notBob: true }, { filter: "userId ne 'f-bob'" });
    await settle(alice, bob, carol);
    const got = (client: typeof alice, key: string) =>
      dataMessages(client).some((m) => key in (m.data as object));
    expect([got(alice, "filtered"), got(bob, "filtered"), got(carol, "filtered")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([got(alice, "notBob"), got(bob, "notBob"), got(carol, "notBob")]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("When a filter is malformed, then the SDK gets 400", async () => {
    await expect(harness.service.sendToAll({}, { filter: "userId eq" })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it("When sendToUser is called, then all of that user's connections get it and nobody else", async () => {
    const first = await harness.connect({ userId: "u-many" });
    const second = await harness.connect({ userId: "u-many" });
    const other = await harness.connect({ userId: "u-other" });
    await harness.service.sendToUser("u-many", { direct: true });
    await settle(first, second, other);
    expect(
      dataMessages(first).filter((m) => m.data && (m.data as { direct?: boolean }).direct),
    ).toHaveLength(1);
    expect(
      dataMessages(second).filter((m) => (m.data as { direct?: boolean }).direct),
    ).toHaveLength(1);
    expect(dataMessages(other).some((m) => (m.data as { direct?: boolean }).direct)).toBe(false);
  });

  it("When sendToConnection is called, then only that connection gets it", async () => {
    const target = await harness.connect({ userId: "c-same" });
    const sibling = await harness.connect({ userId: "c-same" });
    await harness.service.sendToConnection(target.connectionId, "only you", {
      contentType: "text/plain",
    });
    await settle(target, sibling);
    expect(dataMessages(target).filter((m) => m.data === "only you")).toHaveLength(1);
    expect(dataMessages(sibling).some((m) => m.data === "only you")).toBe(false);
  });

  it("When a group is sent to, then members get a group message and excluded or filtered members do not", async () => {
    const group = harness.service.group("room");
    const a = await harness.connect({ userId: "g-a", groups: ["room"] });
    const b = await harness.connect({ userId: "g-b", groups: ["room"] });
    const c = await harness.connect({ userId: "g-c", groups: ["room"] });
    const outside = await harness.connect({ userId: "g-out" });
    await group.sendToAll(
      { room: 1 },
      { excludedConnections: [b.connectionId], filter: "userId ne 'g-c'" },
    );
    await settle(a, b, c, outside);
    const roomMessages = (client: typeof a) =>
      dataMessages(client).filter((m) => m.from === "group");
    expect(roomMessages(a)).toEqual([
      { type: "message", from: "group", group: "room", dataType: "json", data: { room: 1 } },
    ]);
    expect([roomMessages(b), roomMessages(c), roomMessages(outside)]).toEqual([[], [], []]);
  });

  it("When nobody matches a send, then it still answers 202", async () => {
    const statuses: number[] = [];
    const onResponse = (response: { status: number }) => statuses.push(response.status);
    await harness.service.sendToAll({ x: 1 }, { onResponse });
    await harness.service.sendToUser("nobody", { x: 1 }, { onResponse });
    await harness.service.sendToConnection("missing", { x: 1 }, { onResponse });
    await harness.service.group("empty").sendToAll({ x: 1 }, { onResponse });
    expect(statuses).toEqual([202, 202, 202, 202]);
  });
});
