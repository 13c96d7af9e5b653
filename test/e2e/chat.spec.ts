import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signConnectionId } from "../../shared/protocol/signature.js";
import { eventually } from "./eventually.js";
import { System } from "./system.js";

describe("end to end: Microsoft's client, the emulator, the local host and Azurite", () => {
  const system = new System();
  beforeAll(async () => await system.start());
  afterAll(async () => await system.stop());

  it("When two users join a group, then each receives the other's messages with the sender's id", async () => {
    const [alice, bob] = [await system.client("alice"), await system.client("bob")];
    await alice.say({ type: "join", group: "room", id: "j1" });
    await bob.say({ type: "join", group: "room", id: "j2" });
    expect(await alice.inbox.ack("j1")).toMatchObject({ ok: true });
    expect(await bob.inbox.ack("j2")).toMatchObject({ ok: true });

    await alice.say({ type: "send", group: "room", data: { text: "hi bob" }, id: "s1" });
    await bob.say({ type: "send", group: "room", data: { text: "hi alice" }, id: "s2" });

    const atBob = await bob.inbox.envelopes(2);
    expect(atBob.map((m) => [m.from, m.data])).toEqual(
      expect.arrayContaining([
        ["alice", { text: "hi bob" }],
        ["bob", { text: "hi alice" }],
      ]),
    );
    const atAlice = await alice.inbox.envelopes(2);
    expect(atAlice.find((m) => m.from === "bob")).toMatchObject({
      type: "message",
      group: "room",
      data: { text: "hi alice" },
    });
  });

  it("When a user sends a direct message, then all of that user's connections get it and nobody else", async () => {
    const dana = await system.client("dana");
    const eric = [await system.client("eric"), await system.client("eric")];
    const fay = await system.client("fay");
    await dana.say({ type: "send", user: "eric", data: "psst", id: "dm" });
    expect(await dana.inbox.ack("dm")).toMatchObject({ ok: true });
    for (const connection of eric) {
      expect(await connection.inbox.envelopes(1)).toEqual([
        expect.objectContaining({ from: "dana", user: "eric", data: "psst" }),
      ]);
    }
    // A later message to fay arrives after the first would have: fay's inbox shows only her own.
    await dana.say({ type: "send", user: "fay", data: "marker", id: "m" });
    expect((await fay.inbox.envelopes(1)).map((m) => m.data)).toEqual(["marker"]);
    expect((await dana.inbox.envelopes()).length).toBe(0);
  });

  it("When a client sends to a group it has not joined, then it is refused and members receive nothing", async () => {
    const [gail, hugo] = [await system.client("gail"), await system.client("hugo")];
    await gail.say({ type: "join", group: "private", id: "j" });
    await gail.inbox.ack("j");
    await hugo.say({ type: "send", group: "private", data: "intrusion", id: "x" });
    expect(await hugo.inbox.ack("x")).toMatchObject({ ok: false, error: { code: "forbidden" } });
    await gail.say({ type: "send", group: "private", data: "own", id: "own" });
    expect((await gail.inbox.envelopes(1)).map((m) => m.data)).toEqual(["own"]);
  });

  it("When a user without a role tries to join admins, then it is refused and receives nothing of the group; a user with webpubsub.joinLeaveGroup.admins in the token joins", async () => {
    const admin = await system.client("root", ["webpubsub.joinLeaveGroup.admins"]);
    const mallory = await system.client("mallory");
    await mallory.say({ type: "join", group: "admins", id: "j" });
    expect(await mallory.inbox.ack("j")).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    await admin.say({ type: "join", group: "admins", id: "j" });
    expect(await admin.inbox.ack("j")).toMatchObject({ ok: true });
    await admin.say({ type: "send", group: "admins", data: "for admins only", id: "s" });
    expect((await admin.inbox.envelopes(1)).map((m) => [m.from, m.data])).toEqual([
      ["root", "for admins only"],
    ]);
    // A later direct message reaches mallory after the group message would have.
    await admin.say({ type: "send", user: "mallory", data: "marker", id: "m" });
    expect((await mallory.inbox.envelopes(1)).map((m) => m.data)).toEqual(["marker"]);
    expect(await system.tableRows.groupMembers("admins")).toEqual([admin.connectionId]);
  });

  it("When the event handler sends ce-hub in lower case for a capitalised hub, then the app keys rows by it", async () => {
    const lea = await system.client("lea");
    await lea.say({ type: "join", group: "lobby-1", id: "j" });
    expect(await lea.inbox.ack("j")).toMatchObject({ ok: true });
    expect((await system.tableRows.connectionRow(lea.connectionId))?.hub).toBe("samplechat");
  });

  it("When a client disconnects, then its row and its group membership in the service are removed", async () => {
    const ivan = await system.client("ivan");
    await ivan.say({ type: "join", group: "leaving", id: "j" });
    await ivan.inbox.ack("j");
    expect((await system.tableRows.connectionRow(ivan.connectionId))?.state).toBe("live");
    expect(await system.tableRows.groupMembers("leaving")).toEqual([ivan.connectionId]);
    ivan.client.stop();
    await eventually(
      async () => (await system.tableRows.connectionRow(ivan.connectionId))?.state,
      (state) => state === "gone",
    );
    expect(await system.tableRows.groupMembers("leaving")).toEqual([]);
    expect(await system.service.connectionExists(ivan.connectionId)).toBe(false);
  });

  it("When a forged event is posted straight to the function app, then 401 and nothing is stored", async () => {
    const response = await fetch(`${system.host.url}/api/events/connected`, {
      method: "POST",
      headers: {
        "ce-specversion": "1.0",
        "ce-type": "azure.webpubsub.sys.connected",
        "ce-source": "/hubs/samplechat/client/forged",
        "ce-id": "1",
        "ce-hub": "samplechat",
        "ce-connectionId": "forged",
        "ce-eventName": "connected",
        "ce-userId": "mallory",
        "ce-signature": `sha256=${signConnectionId("not-the-key", "forged")}`,
        "webhook-request-origin": "127.0.0.1",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(await system.tableRows.connectionRow("forged")).toBeUndefined();
  });

  it("When a client is killed without a close handshake, then its connection is cleaned up", async () => {
    const socket = new WebSocket(await system.negotiate("kurt"), "json.webpubsub.azure.v1");
    const connectionId = await new Promise<string>((resolve, reject) => {
      socket.on("message", (frame: Buffer) => {
        const message = JSON.parse(frame.toString()) as {
          type: string;
          event?: string;
          connectionId?: string;
        };
        if (message.type === "system" && message.event === "connected")
          resolve(message.connectionId ?? "");
      });
      socket.on("error", reject);
    });
    await eventually(
      async () => (await system.tableRows.connectionRow(connectionId))?.state,
      (state) => state === "live",
    );
    socket.terminate();
    await eventually(
      async () => (await system.tableRows.connectionRow(connectionId))?.state,
      (state) => state === "gone",
    );
  });
});
