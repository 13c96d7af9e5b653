import { WebPubSubServiceClient } from "@azure/web-pubsub";
import {
  WebPubSubClient,
  type OnGroupDataMessageArgs,
  type OnServerDataMessageArgs,
} from "@azure/web-pubsub-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_KEY } from "../../emulator/index.js";
import { Harness } from "./support/harness.js";
import { TcpProxy } from "./support/TcpProxy.js";
import { UpstreamRecorder, type Reply } from "./support/UpstreamRecorder.js";
import { waitFor } from "./support/waitFor.js";

const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

/** A WebPubSubClient that records what it receives. */
class RecordingClient {
  readonly groupMessages: OnGroupDataMessageArgs["message"][] = [];
  readonly serverMessages: OnServerDataMessageArgs["message"][] = [];
  readonly connectedIds: string[] = [];
  disconnects = 0;
  readonly client: WebPubSubClient;

  constructor(url: string) {
    this.client = new WebPubSubClient(
      { getClientAccessUrl: url },
      {
        reconnectRetryOptions: { maxRetries: 0 },
        messageRetryOptions: { maxRetries: 3, retryDelayInMs: 200 },
      },
    );
    this.client.on("group-message", (e) => this.groupMessages.push(e.message));
    this.client.on("server-message", (e) => this.serverMessages.push(e.message));
    this.client.on("connected", (e) => this.connectedIds.push(e.connectionId));
    this.client.on("disconnected", () => this.disconnects++);
  }
}

describe("emulator with @azure/web-pubsub-client", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  const clients: RecordingClient[] = [];
  let proxy: TcpProxy;

  beforeAll(async () => {
    await upstream.start();
    await harness.start({ hubs: {} });
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [
        { urlTemplate: upstream.urlTemplate, userEventPattern: "*", systemEvents: ["connected"] },
      ],
    });
    proxy = await new TcpProxy(harness.emulator.port).start();
  });
  afterEach(() => {
    for (const recording of clients.splice(0)) recording.client.stop();
  });
  afterAll(async () => {
    await proxy.stop();
    await harness.stop();
    await upstream.stop();
  });

  async function startClient(userId: string, through?: TcpProxy): Promise<RecordingClient> {
    const service = through
      ? new WebPubSubServiceClient(
          `Endpoint=http://127.0.0.1:${through.port};AccessKey=${DEFAULT_ACCESS_KEY};Version=1.0;`,
          harness.hub,
        )
      : harness.service;
    const { url } = await service.getClientAccessToken({ userId, roles: ROLES });
    const recording = new RecordingClient(url);
    clients.push(recording);
    await recording.client.start();
    await waitFor(() => recording.connectedIds[0], "the connected event");
    return recording;
  }

  it("When two clients join a group, then a noEcho group message reaches only the other one, with its sender", async () => {
    const alice = await startClient("alice");
    const bob = await startClient("bob");
    await alice.client.joinGroup("room");
    await bob.client.joinGroup("room");
    await alice.client.sendToGroup("room", { text: "hi bob" }, "json", { noEcho: true });
    await bob.client.sendToGroup("room", "hi all", "text");
    await waitFor(
      () => alice.groupMessages.length === 1 && bob.groupMessages.length === 2,
      "group messages",
    );
    expect(bob.groupMessages.map((m) => [m.fromUserId, m.group, m.data])).toEqual([
      ["alice", "room", { text: "hi bob" }],
      ["bob", "room", "hi all"],
    ]);
    expect(alice.groupMessages[0]?.data).toBe("hi all");
  });

  it("When the service sends to a user and the upstream answers an event, then the client gets server messages", async () => {
    upstream.reply = (request): Reply =>
      request.method === "POST" && request.headers["ce-eventname"] === "greet"
        ? {
            status: 200,
            headers: { "Content-Type": "text/plain" },
            body: `hello ${request.body.toString()}`,
          }
        : request.method === "OPTIONS"
          ? { status: 200, headers: { "WebHook-Allowed-Origin": "*" } }
          : { status: 204 };
    const carol = await startClient("carol");
    await harness.service.sendToUser("carol", { direct: 1 });
    await carol.client.sendEvent("greet", "carol", "text");
    await waitFor(() => carol.serverMessages.length === 2, "two server messages");
    expect(carol.serverMessages.map((m) => [m.dataType, m.data])).toEqual([
      ["json", { direct: 1 }],
      ["text", "hello carol"],
    ]);
  });

  it("When the socket drops mid-stream, then the client recovers the same connection and loses no message", async () => {
    const dave = await startClient("dave", proxy);
    const connectionId = dave.connectedIds[0] ?? "";
    await dave.client.joinGroup("stream");
    await harness.service.group("stream").sendToAll({ n: 0 });
    await waitFor(() => dave.groupMessages.length === 1, "the first message");

    expect(proxy.dropAll()).toBeGreaterThan(0);
    for (let n = 1; n <= 5; n++) await harness.service.group("stream").sendToAll({ n });
    for (let n = 6; n <= 8; n++) await harness.service.sendToUser("dave", { n });

    await waitFor(
      () => dave.groupMessages.length === 6 && dave.serverMessages.length === 3,
      "all messages",
      20_000,
    );
    expect(dave.groupMessages.map((m) => (m.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(dave.serverMessages.map((m) => (m.data as { n: number }).n)).toEqual([6, 7, 8]);
    expect(dave.connectedIds).toEqual([connectionId]);
    expect(dave.disconnects).toBe(0);
    expect(await harness.service.connectionExists(connectionId)).toBe(true);
    expect(upstream.events("connected", connectionId)).toHaveLength(1);

    await dave.client.sendToGroup("stream", "still here", "text");
    await waitFor(
      () => dave.groupMessages.some((m) => m.data === "still here"),
      "the echo after recovery",
    );
  });
});
