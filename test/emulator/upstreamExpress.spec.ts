import { WebPubSubClient } from "@azure/web-pubsub-client";
import type {
  ConnectRequest,
  ConnectedRequest,
  DisconnectedRequest,
  UserEventRequest,
  WebPubSubEventHandlerOptions,
} from "@azure/web-pubsub-express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_KEY } from "../../emulator/index.js";
import { ExpressHandlerServer } from "./support/ExpressHandlerServer.js";
import { Harness } from "./support/harness.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator upstream accepted by @azure/web-pubsub-express", () => {
  const harness = new Harness();
  const seen = {
    connect: [] as ConnectRequest[],
    connected: [] as ConnectedRequest[],
    user: [] as UserEventRequest[],
    disconnected: [] as DisconnectedRequest[],
  };
  let handler: ExpressHandlerServer;
  const options: WebPubSubEventHandlerOptions = {
    handleConnect: (req, res) => {
      seen.connect.push(req);
      res.setState("visits", 1);
      res.success({ groups: ["from-express"], roles: ["webpubsub.sendToGroup.from-express"] });
    },
    onConnected: (req) => void seen.connected.push(req),
    handleUserEvent: (req, res) => {
      seen.user.push({ ...req, context: { ...req.context, states: { ...req.context.states } } });
      res.setState("visits", Number(req.context.states.visits) + 1);
      res.success(`got ${String(req.data)}`, "text");
    },
    onDisconnected: (req) => void seen.disconnected.push(req),
  };

  beforeAll(async () => {
    await harness.start();
    // allowedEndpoints makes the preflight answer the emulator's host instead of "*".
    handler = await new ExpressHandlerServer(harness.hub, DEFAULT_ACCESS_KEY, {
      ...options,
      allowedEndpoints: [harness.emulator.url],
    }).start();
    harness.sendEverythingTo(handler.urlTemplate);
  });
  afterAll(async () => {
    await handler.stop();
    await harness.stop();
  });

  it("When a WebPubSubClient connects, sends an event and stops, then each handler sees the right user, connection, event and data", async () => {
    const { url } = await harness.service.getClientAccessToken({ userId: "exp-user" });
    const client = new WebPubSubClient(url, { autoReconnect: false });
    const replies: unknown[] = [];
    client.on("server-message", (e) => replies.push(e.message.data));
    const groupMessages: unknown[] = [];
    client.on("group-message", (e) => groupMessages.push(e.message.data));
    await client.start();

    const connect = await waitFor(() => seen.connect[0], "handleConnect");
    expect(connect.context).toMatchObject({
      hub: harness.hub,
      eventName: "connect",
      userId: "exp-user",
    });
    expect(connect.claims?.sub).toEqual(["exp-user"]);
    expect(connect.subprotocols).toEqual(["json.reliable.webpubsub.azure.v1"]);
    const connectionId = connect.context.connectionId;

    const connected = await waitFor(() => seen.connected[0], "onConnected");
    expect(connected.context).toMatchObject({
      connectionId,
      eventName: "connected",
      userId: "exp-user",
      states: { visits: 1 },
    });

    await client.sendEvent("ping-event", "hello", "text");
    await waitFor(() => replies.length === 1, "the handler's reply");
    expect(replies).toEqual(["got hello"]);
    const user = seen.user[0];
    expect(user).toMatchObject({ dataType: "text", data: "hello" });
    expect(user?.context).toMatchObject({
      connectionId,
      eventName: "ping-event",
      userId: "exp-user",
      states: { visits: 1 },
    });

    await client.sendToGroup("from-express", "group ok", "text");
    await waitFor(() => groupMessages.length === 1, "the group echo");

    client.stop();
    const disconnected = await waitFor(() => seen.disconnected[0], "onDisconnected");
    expect(disconnected.context).toMatchObject({
      connectionId,
      eventName: "disconnected",
      states: { visits: 2 },
    });
    expect(handler.unhandled).toEqual([]);
  });

  it("When the emulator signs its events, then an independent HMAC check accepts every signature", () => {
    expect(handler.signatureChecks.length).toBeGreaterThanOrEqual(4);
    expect(handler.signatureChecks.every((check) => check.valid)).toBe(true);
  });
});
