import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_KEY } from "../../emulator/index.js";
import { dataMessages, Harness, RELIABLE_PROTOCOL } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator client protocol (json.webpubsub.azure.v1)", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  afterAll(async () => await harness.stop());

  const wsBase = () => harness.emulator.url.replace(/^http/, "ws");
  const tokenUrl = (claims: object, options: jwt.SignOptions, key = DEFAULT_ACCESS_KEY) =>
    `${wsBase()}/client/hubs/${harness.hub}?access_token=${jwt.sign(claims, key, options)}`;

  it("When the token is missing, wrongly signed, expired, without exp or for another hub, then the handshake answers 401", async () => {
    const audience = `${harness.emulator.url}/client/hubs/${harness.hub}`;
    const past = Math.floor(Date.now() / 1000) - 3600;
    const urls = [
      `${wsBase()}/client/hubs/${harness.hub}`,
      tokenUrl({}, { audience, expiresIn: "5m" }, "another-key-another-key-another-key"),
      tokenUrl({ exp: past }, { audience }),
      tokenUrl({}, { audience }),
      tokenUrl({}, { audience: `${harness.emulator.url}/client/hubs/other`, expiresIn: "5m" }),
    ];
    for (const url of urls) expect(await TestSocket.refusal(url)).toBe(401);
  });

  it("When the audience uses ws://, a trailing slash, other case or localhost, or the /client?hub= path is used, then the client connects", async () => {
    const http = `${harness.emulator.url}/client/hubs/${harness.hub}`;
    const viaLocalhost = http.replace("127.0.0.1", "localhost");
    for (const audience of [
      http.replace("http", "ws"),
      `${http}/`,
      http.toUpperCase(),
      viaLocalhost,
    ]) {
      const client = await harness.connectUrl(
        tokenUrl({}, { subject: "aud", audience, expiresIn: "5m" }),
      );
      expect(client.userId).toBe("aud");
    }
    const token = jwt.sign({}, DEFAULT_ACCESS_KEY, {
      subject: "q",
      audience: http,
      expiresIn: "5m",
    });
    const client = await harness.connectUrl(
      `${wsBase()}/client?hub=${harness.hub}&access_token=${token}`,
    );
    expect(client.userId).toBe("q");
  });

  it("When a client connects, then the connected message carries user and connection ids, and a reconnection token only when reliable", async () => {
    const plain = await harness.connect({ userId: "who" });
    expect(plain.socket.messages[0]).toEqual({
      type: "system",
      event: "connected",
      userId: "who",
      connectionId: plain.connectionId,
    });
    const reliable = await harness.connect({ userId: "who" }, RELIABLE_PROTOCOL);
    expect(reliable.socket.messages[0]).toMatchObject({ reconnectionToken: expect.any(String) });
  });

  it("When a client pings, then the service pongs", async () => {
    const client = await harness.connect();
    client.socket.send({ type: "ping" });
    await client.socket.nextMessage((m) => m.type === "pong");
  });

  it("When roles are missing, specific, global or wildcard, then join and send are allowed only where they grant", async () => {
    const none = await harness.connect({ userId: "none" });
    const specific = await harness.connect({
      roles: ["webpubsub.joinLeaveGroup.a", "webpubsub.sendToGroup.a"],
    });
    const wildcard = await harness.connect({ roles: ["webpubsub.joinLeaveGroups.team.*"] });
    const global = await harness.connect({
      roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
    });
    const attempt = async (client: typeof none, message: object, ackId: number) => {
      client.socket.send({ ...message, ackId });
      return (await client.socket.ack(ackId)).success;
    };
    const join = (group: string) => ({ type: "joinGroup", group });
    const send = (group: string) => ({ type: "sendToGroup", group, data: "x", dataType: "text" });
    expect([await attempt(none, join("a"), 1), await attempt(none, send("a"), 2)]).toEqual([
      false,
      false,
    ]);
    expect([await attempt(specific, join("a"), 1), await attempt(specific, send("a"), 2)]).toEqual([
      true,
      true,
    ]);
    expect([await attempt(specific, join("b"), 3), await attempt(specific, send("b"), 4)]).toEqual([
      false,
      false,
    ]);
    expect([
      await attempt(wildcard, join("team.red"), 1),
      await attempt(wildcard, join("team.red.x"), 2),
    ]).toEqual([true, false]);
    expect([await attempt(global, join("z"), 1), await attempt(global, send("z"), 2)]).toEqual([
      true,
      true,
    ]);
    const forbidden = none.socket.messages.find((m) => m.ackId === 1);
    expect(forbidden).toMatchObject({ type: "ack", success: false, error: { name: "Forbidden" } });
  });

  it("When a member sends to a group with and without noEcho, then others always get it and the sender only without noEcho", async () => {
    const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
    const sender = await harness.connect({ userId: "sender", roles, groups: ["echo"] });
    const peer = await harness.connect({ userId: "peer", groups: ["echo"] });
    sender.socket.send({
      type: "sendToGroup",
      group: "echo",
      data: { n: 1 },
      noEcho: true,
      ackId: 1,
    });
    sender.socket.send({
      type: "sendToGroup",
      group: "echo",
      data: "AQI=",
      dataType: "binary",
      ackId: 2,
    });
    await sender.socket.ack(2);
    await waitFor(() => dataMessages(peer).length === 2, "two group messages");
    expect(dataMessages(peer)).toEqual([
      {
        type: "message",
        from: "group",
        group: "echo",
        fromUserId: "sender",
        dataType: "json",
        data: { n: 1 },
      },
      {
        type: "message",
        from: "group",
        group: "echo",
        fromUserId: "sender",
        dataType: "binary",
        data: "AQI=",
      },
    ]);
    await waitFor(() => dataMessages(sender).length === 1, "the echo");
    expect(dataMessages(sender)[0]).toMatchObject({ dataType: "binary" });
  });

  it("When an ackId is reused, then the ack says Duplicate and the message is not sent again", async () => {
    const roles = ["webpubsub.sendToGroup"];
    const sender = await harness.connect({ roles });
    const peer = await harness.connect({ groups: ["dup"] });
    const message = { type: "sendToGroup", group: "dup", data: "once", dataType: "text", ackId: 7 };
    sender.socket.send(message);
    await sender.socket.ack(7);
    sender.socket.send(message);
    sender.socket.send({ ...message, data: "after", ackId: 8 });
    await sender.socket.ack(8);
    expect(sender.socket.messages.filter((m) => m.ackId === 7)).toEqual([
      { type: "ack", ackId: 7, success: true },
      {
        type: "ack",
        ackId: 7,
        success: false,
        error: { name: "Duplicate", message: expect.any(String) },
      },
    ]);
    await waitFor(() => dataMessages(peer).some((m) => m.data === "after"), "the later message");
    expect(dataMessages(peer).map((m) => m.data)).toEqual(["once", "after"]);
  });

  it("When a frame exceeds 1 MB, then the connection is closed with 1009", async () => {
    const client = await harness.connect();
    client.socket.send("x".repeat(1024 * 1024 + 1));
    expect((await client.socket.closed()).code).toBe(1009);
  });
});
