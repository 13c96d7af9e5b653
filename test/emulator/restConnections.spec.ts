import type { HubCloseAllConnectionsOptions } from "@azure/web-pubsub";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, type JsonClient } from "./support/harness.js";

describe("emulator REST: connections, users, permissions", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  afterAll(async () => await harness.stop());

  const disconnectedMessage = async (client: JsonClient) =>
    await client.socket.nextMessage((m) => m.type === "system" && m.event === "disconnected");

  it("When connections and users exist or not, then the exists checks answer true or false", async () => {
    const client = await harness.connect({ userId: "exists-user" });
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    expect(await harness.service.connectionExists("nope")).toBe(false);
    expect(await harness.service.userExists("exists-user")).toBe(true);
    expect(await harness.service.userExists("nobody")).toBe(false);
  });

  it("When a connection is closed with a reason, then the client gets it in a disconnected message and the socket closes", async () => {
    const client = await harness.connect({ userId: "close-me" });
    await harness.service.closeConnection(client.connectionId, { reason: "bye now" });
    expect(await disconnectedMessage(client)).toEqual({
      type: "system",
      event: "disconnected",
      message: "bye now",
    });
    expect((await client.socket.closed()).reason).toBe("bye now");
    expect(await harness.service.connectionExists(client.connectionId)).toBe(false);
  });

  it("When a user's connections are closed, then all of them close and others stay", async () => {
    const first = await harness.connect({ userId: "close-user" });
    const second = await harness.connect({ userId: "close-user" });
    const other = await harness.connect({ userId: "stay-user" });
    await harness.service.closeUserConnections("close-user", { reason: "user closed" });
    await Promise.all([first.socket.closed(), second.socket.closed()]);
    expect(await harness.service.userExists("close-user")).toBe(false);
    expect(await harness.service.connectionExists(other.connectionId)).toBe(true);
  });

  it("When a group's connections are closed, then its members close and non-members stay", async () => {
    const member = await harness.connect({ userId: "gm", groups: ["closing"] });
    const outsider = await harness.connect({ userId: "go" });
    await harness.service.group("closing").closeAllConnections({ reason: "group closed" });
    expect((await disconnectedMessage(member)).message).toBe("group closed");
    expect(await harness.service.connectionExists(outsider.connectionId)).toBe(true);
  });

  it("When all connections are closed except one, then only the excluded one stays", async () => {
    const hub = harness.serviceFor(`${harness.hub}all`);
    const connect = async (userId: string) =>
      await harness.connectUrl((await hub.getClientAccessToken({ userId })).url);
    const closed = await connect("all-1");
    const kept = await connect("all-2");
    const options: HubCloseAllConnectionsOptions & { excluded: string[] } = {
      reason: "everyone out",
      excluded: [kept.connectionId],
    };
    await hub.closeAllConnections(options);
    await closed.socket.closed();
    expect(await hub.connectionExists(kept.connectionId)).toBe(true);
    expect(await hub.connectionExists(closed.connectionId)).toBe(false);
  });

  it("When permissions are granted and revoked, then joining and sending follow and hasPermission tells", async () => {
    const client = await harness.connect({ userId: "perm" });
    const id = client.connectionId;
    client.socket.send({ type: "joinGroup", group: "locked", ackId: 1 });
    expect(await client.socket.ack(1)).toMatchObject({
      success: false,
      error: { name: "Forbidden" },
    });
    expect(
      await harness.service.hasPermission(id, "joinLeaveGroup", { targetName: "locked" }),
    ).toBe(false);

    await harness.service.grantPermission(id, "joinLeaveGroup", { targetName: "locked" });
    await harness.service.grantPermission(id, "sendToGroup");
    expect(
      await harness.service.hasPermission(id, "joinLeaveGroup", { targetName: "locked" }),
    ).toBe(true);
    expect(await harness.service.hasPermission(id, "joinLeaveGroup", { targetName: "other" })).toBe(
      false,
    );
    expect(await harness.service.hasPermission(id, "sendToGroup", { targetName: "any" })).toBe(
      true,
    );
    client.socket.send({ type: "joinGroup", group: "locked", ackId: 2 });
    expect(await client.socket.ack(2)).toMatchObject({ success: true });
    client.socket.send({
      type: "sendToGroup",
      group: "locked",
      data: "hi",
      dataType: "text",
      ackId: 3,
    });
    expect(await client.socket.ack(3)).toMatchObject({ success: true });

    await harness.service.revokePermission(id, "joinLeaveGroup", { targetName: "locked" });
    expect(
      await harness.service.hasPermission(id, "joinLeaveGroup", { targetName: "locked" }),
    ).toBe(false);
    client.socket.send({ type: "leaveGroup", group: "locked", ackId: 4 });
    expect(await client.socket.ack(4)).toMatchObject({
      success: false,
      error: { name: "Forbidden" },
    });
  });

  it("When :generateToken is called, then its token connects as the requested user with its groups", async () => {
    const url = `${harness.emulator.url}/api/hubs/${harness.hub}/:generateToken?userId=gen&group=gen-group&role=webpubsub.sendToGroup&api-version=2024-12-01`;
    const token = jwt.sign({}, accessKeyOf(harness), { audience: url, expiresIn: "5m" });
    const response = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string };
    const clientUrl = `${harness.emulator.url.replace("http", "ws")}/client/hubs/${harness.hub}?access_token=${body.token}`;
    const client = await harness.connectUrl(clientUrl);
    expect(client.userId).toBe("gen");
    await harness.service.group("gen-group").sendToAll("to group", { contentType: "text/plain" });
    expect((await client.socket.nextMessage((m) => m.type === "message")).group).toBe("gen-group");
  });

  it("When REST calls carry no token, a wrong key, no exp or a foreign audience, then 401; health needs none", async () => {
    const url = `${harness.emulator.url}/api/hubs/${harness.hub}/users/x?api-version=2024-12-01`;
    const head = async (token?: string) =>
      (
        await fetch(url, {
          method: "HEAD",
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        })
      ).status;
    const key = accessKeyOf(harness);
    expect(await head()).toBe(401);
    expect(
      await head(
        jwt.sign({}, "wrong-key-wrong-key-wrong-key-wrong", { audience: url, expiresIn: "5m" }),
      ),
    ).toBe(401);
    expect(await head(jwt.sign({ aud: url }, key))).toBe(401);
    expect(
      await head(jwt.sign({}, key, { audience: "http://elsewhere/api", expiresIn: "5m" })),
    ).toBe(401);
    expect(
      await head(jwt.sign({}, key, { audience: url.split("?")[0] ?? "", expiresIn: "5m" })),
    ).toBe(404);
    expect(await head(jwt.sign({}, key, { audience: url.toUpperCase(), expiresIn: "5m" }))).toBe(
      404,
    );
    expect((await fetch(`${harness.emulator.url}/api/health`, { method: "HEAD" })).status).toBe(
      200,
    );
  });
});

function accessKeyOf(harness: Harness): string {
  return /AccessKey=([^;]+)/.exec(harness.emulator.connectionString)?.[1] ?? "";
}
