import { createHmac } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dataMessages, Harness } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import { acceptEverything, UpstreamRecorder } from "./support/UpstreamRecorder.js";
import { waitFor } from "./support/waitFor.js";

const PRIMARY = "primary-key-0123456789abcdefghijklmnopqrstuv";
const SECONDARY = "secondary-key-0123456789abcdefghijklmnopqrst";
const THIRD = "third-key-0123456789abcdefghijklmnopqrstuvwx";

describe("emulator access keys: a primary and a secondary", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  beforeAll(async () => {
    await upstream.start();
    await harness.start({ accessKey: PRIMARY, secondaryAccessKey: SECONDARY });
  });
  beforeEach(() => {
    upstream.reply = acceptEverything;
    harness.sendEverythingTo(upstream.urlTemplate);
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
  });

  /** A service client whose connection string holds `key` instead of the primary key. */
  const serviceWithKey = (key: string) =>
    new WebPubSubServiceClient(
      harness.emulator.connectionString.replace(/AccessKey=[^;]+/, `AccessKey=${key}`),
      harness.hub,
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );

  /** A client URL whose token is signed with `key` for this hub. */
  const clientUrlSignedWith = (key: string, claims: object, expiresIn: number) => {
    const audience = `${harness.emulator.url.replace(/^http/, "ws")}/client/hubs/${harness.hub}`;
    return `${audience}?access_token=${jwt.sign(claims, key, { audience, expiresIn })}`;
  };

  it("When the emulator has two keys, then its connection string keeps the primary key", () => {
    expect(harness.emulator.connectionString).toContain(`AccessKey=${PRIMARY};`);
    expect(harness.emulator.connectionString).not.toContain(SECONDARY);
  });

  it("When the emulator has two keys, then every upstream ce-signature carries two sha256 entries, primary first, each verifiable with its own key", async () => {
    const client = await harness.connect({ userId: "two-keys" });
    client.socket.send({ type: "event", event: "signed", data: "x", dataType: "text", ackId: 1 });
    await client.socket.ack(1);
    await upstream.waitForEvent("connected", client.connectionId);
    const events = upstream.requests.filter(
      (r) => r.method === "POST" && r.headers["ce-connectionid"] === client.connectionId,
    );
    expect(events.map((r) => r.headers["ce-eventname"]).sort()).toEqual([
      "connect",
      "connected",
      "signed",
    ]);
    const hmac = (key: string) =>
      createHmac("sha256", key).update(client.connectionId).digest("hex");
    for (const event of events) {
      const entries = String(event.headers["ce-signature"]).split(",");
      expect(entries).toEqual([`sha256=${hmac(PRIMARY)}`, `sha256=${hmac(SECONDARY)}`]);
    }
    expect(hmac(PRIMARY)).not.toBe(hmac(SECONDARY));
  });

  it("When a WebPubSubServiceClient is built from a connection string holding the secondary key, then its REST calls succeed and reach the clients", async () => {
    const client = await harness.connect({ userId: "secondary-rest" });
    const secondary = serviceWithKey(SECONDARY);
    expect(await secondary.connectionExists(client.connectionId)).toBe(true);
    expect(await secondary.userExists("secondary-rest")).toBe(true);
    await secondary.sendToConnection(client.connectionId, "via the secondary key", {
      contentType: "text/plain",
    });
    await waitFor(
      () => dataMessages(client).length === 1,
      "the message sent with the secondary key",
    );
    expect(dataMessages(client)).toEqual([
      { type: "message", from: "server", dataType: "text", data: "via the secondary key" },
    ]);
    await secondary.closeConnection(client.connectionId, { reason: "secondary closed it" });
    expect((await client.socket.closed()).reason).toBe("secondary closed it");
  });

  it("When a client token is signed with the secondary key, then the client connects as its user", async () => {
    const url = clientUrlSignedWith(SECONDARY, { sub: "secondary-client" }, 300);
    const client = await harness.connectUrl(url);
    expect(client.userId).toBe("secondary-client");
    const connect = await upstream.waitForEvent("connect", client.connectionId);
    expect(connect.headers["ce-userid"]).toBe("secondary-client");
    expect(await harness.service.userExists("secondary-client")).toBe(true);
  });

  it("When a client token signed with the secondary key has expired, then the client is refused with 401", async () => {
    const url = clientUrlSignedWith(SECONDARY, { sub: "secondary-expired" }, -600);
    expect(await TestSocket.refusal(url)).toBe(401);
    expect(upstream.requests.some((r) => r.headers["ce-userid"] === "secondary-expired")).toBe(
      false,
    );
  });

  it("When a REST call or a client token is signed with a third key, then the emulator refuses it with 401 and nothing happens", async () => {
    const client = await harness.connect({ userId: "third-target" });
    const third = serviceWithKey(THIRD);
    await expect(
      third.sendToConnection(client.connectionId, "must not arrive", { contentType: "text/plain" }),
    ).rejects.toMatchObject({ statusCode: 401 });
    await expect(third.closeConnection(client.connectionId)).rejects.toMatchObject({
      statusCode: 401,
    });
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    expect(dataMessages(client)).toEqual([]);

    const url = clientUrlSignedWith(THIRD, { sub: "third-client" }, 300);
    expect(await TestSocket.refusal(url)).toBe(401);
    expect(upstream.requests.some((r) => r.headers["ce-userid"] === "third-client")).toBe(false);
    expect(await harness.service.userExists("third-client")).toBe(false);
  });
});
