import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_KEY } from "../../emulator/index.js";
import { dataMessages, Harness, JSON_PROTOCOL, RELIABLE_PROTOCOL } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import {
  acceptEverything,
  isEvent,
  UpstreamRecorder,
  type Reply,
} from "./support/UpstreamRecorder.js";

describe("emulator upstream: validation and connect", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  beforeAll(async () => {
    await upstream.start();
    await harness.start();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.reply = acceptEverything;
    harness.sendEverythingTo(upstream.urlTemplate);
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
  });

  it("When the first client connects, then the validation OPTIONS precedes a connect event with every header and the request's details", async () => {
    const client = await harness.connect({ userId: "val" });
    const [validation, connect] = upstream.requests;
    expect(validation).toMatchObject({ method: "OPTIONS", path: `/api/${harness.hub}/validate` });
    expect(validation?.headers).toMatchObject({
      "webhook-request-origin": "127.0.0.1",
      "ce-awpsversion": "1.0",
    });
    expect(connect).toMatchObject({ method: "POST", path: `/api/${harness.hub}/connect` });
    expect(connect?.headers).toMatchObject({
      "ce-specversion": "1.0",
      "ce-type": "azure.webpubsub.sys.connect",
      "ce-source": `/hubs/${harness.hub}/client/${client.connectionId}`,
      "ce-id": "0",
      "ce-time": expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      "ce-awpsversion": "1.0",
      "ce-hub": harness.hub,
      "ce-connectionid": client.connectionId,
      "ce-eventname": "connect",
      "ce-userid": "val",
      "ce-signature": `sha256=${createHmac("sha256", DEFAULT_ACCESS_KEY).update(client.connectionId).digest("hex")}`,
      "webhook-request-origin": "127.0.0.1",
      "content-type": "application/json",
    });
    const body = JSON.parse(connect?.body.toString() ?? "") as Record<
      string,
      Record<string, string[]>
    >;
    expect(body.claims?.sub).toEqual(["val"]);
    expect(body.query).toEqual({});
    expect(body.headers?.host).toEqual([expect.any(String)]);
    expect(body).toMatchObject({ subprotocols: [JSON_PROTOCOL], clientCertificates: [] });
  });

  it("When connect answers 200 with userId, groups, roles and subprotocol, then the connection takes them", async () => {
    upstream.reply = (request) =>
      isEvent(request, "connect")
        ? json({
            userId: "renamed",
            groups: ["vip"],
            roles: ["webpubsub.joinLeaveGroup"],
            subprotocol: JSON_PROTOCOL,
          })
        : acceptEverything(request);
    const url = await harness.clientUrl({ userId: "original" });
    const socket = await TestSocket.open(url, [RELIABLE_PROTOCOL, JSON_PROTOCOL]);
    expect(socket.socket.protocol).toBe(JSON_PROTOCOL);
    const connected = await socket.nextMessage((m) => m.event === "connected");
    expect(connected.userId).toBe("renamed");
    await harness.service.group("vip").sendToAll("for vips", { contentType: "text/plain" });
    await socket.nextMessage((m) => m.type === "message" && m.group === "vip");
    socket.send({ type: "joinGroup", group: "anything", ackId: 1 });
    expect(await socket.ack(1)).toMatchObject({ success: true });
    socket.close();
  });

  it("When connect answers 401, 403, 400 or 500, then the handshake fails with it and no other event follows", async () => {
    for (const status of [401, 403, 400, 500]) {
      upstream.requests.length = 0;
      upstream.reply = (request) =>
        isEvent(request, "connect") ? { status, body: "no" } : acceptEverything(request);
      expect(
        await TestSocket.refusal(await harness.clientUrl({ userId: "rejected" }), JSON_PROTOCOL),
      ).toBe(status);
      expect(
        upstream.requests
          .filter((r) => r.method === "POST" && r.headers["ce-userid"] === "rejected")
          .map((r) => r.headers["ce-eventname"]),
      ).toEqual(status === 500 ? ["connect", "connect", "connect", "connect"] : ["connect"]);
    }
  });

  it("When the handler refuses the validation, then no event is delivered and the client is refused", async () => {
    const other = harness.serviceFor(`${harness.hub}v`);
    harness.emulator.setHub(`${harness.hub}v`, {
      eventHandlers: [
        { urlTemplate: `${upstream.urlTemplate}?refuse=1`, systemEvents: ["connect"] },
      ],
    });
    upstream.reply = (request) =>
      request.method === "OPTIONS" && request.path.includes("refuse")
        ? { status: 200 }
        : acceptEverything(request);
    const { url } = await other.getClientAccessToken({ userId: "x" });
    expect(await TestSocket.refusal(url)).toBe(500);
    expect(upstream.requests.map((r) => r.method)).toEqual(["OPTIONS"]);
  });

  it("When connect sets ce-connectionState, then later events carry it until a user event changes it", async () => {
    upstream.reply = (request) => {
      if (isEvent(request, "connect"))
        return { status: 204, headers: { "ce-connectionState": "c1" } };
      if (isEvent(request, "update"))
        return { status: 204, headers: { "ce-connectionState": "c2" } };
      return acceptEverything(request);
    };
    const client = await harness.connect({ userId: "stateful" });
    client.socket.send({ type: "event", event: "update", data: "x", dataType: "text", ackId: 1 });
    await client.socket.ack(1);
    client.socket.send({ type: "event", event: "after", data: "y", dataType: "text", ackId: 2 });
    await client.socket.ack(2);
    const connected = await upstream.waitForEvent("connected", client.connectionId);
    expect(connected.headers["ce-connectionstate"]).toBe("c1");
    expect(upstream.events("update")[0]?.headers["ce-connectionstate"]).toBe("c1");
    expect(upstream.events("after")[0]?.headers["ce-connectionstate"]).toBe("c2");
    expect(dataMessages(client)).toEqual([]);
  });

  it("When the hub's handler does not subscribe to connect, then clients connect on their token alone", async () => {
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [{ urlTemplate: upstream.urlTemplate, systemEvents: ["connected"] }],
    });
    const client = await harness.connect({ userId: "token-only" });
    await upstream.waitForEvent("connected", client.connectionId);
    expect(upstream.events("connect")).toEqual([]);
  });
});

function json(body: object): Reply {
  return {
    status: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
}
