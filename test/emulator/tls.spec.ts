import { request } from "node:https";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataMessages, Harness, JSON_PROTOCOL } from "./support/harness.js";
import { generateLoopbackCertificate } from "../fixtures/loopbackCertificate.js";
import { TestSocket } from "./support/TestSocket.js";
import { waitFor } from "./support/waitFor.js";

const certificate = await generateLoopbackCertificate();

describe("emulator over TLS", () => {
  const harness = new Harness();
  beforeAll(async () => {
    await harness.start(
      { tls: certificate },
      { options: { tlsOptions: { ca: certificate.cert } } },
    );
  });
  afterAll(async () => await harness.stop());

  it("When the emulator has a certificate, then its URL and connection string are https and the SDK's REST calls over https succeed", async () => {
    expect(harness.emulator.url).toBe(`https://127.0.0.1:${harness.emulator.port}`);
    expect(harness.emulator.connectionString).toMatch(/^Endpoint=https:\/\/127\.0\.0\.1:\d+;/);
    const { url } = await harness.service.getClientAccessToken({ userId: "tls" });
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/client\/hubs\//);
    const client = await harness.connectUrl(plainClientUrl(url));
    await harness.service.sendToAll("over https", { contentType: "text/plain" });
    await waitFor(() => dataMessages(client).length === 1, "the message sent over https");
    expect(client.userId).toBe("tls");
  });

  it("When a client trusts the certificate, then it connects over wss; on the same port ws works too", async () => {
    const url = await harness.clientUrl({ userId: "wss" });
    const secure = await TestSocket.open(url, JSON_PROTOCOL, { ca: certificate.cert });
    const connected = await secure.nextMessage((m) => m.type === "system");
    expect(connected).toMatchObject({ event: "connected", userId: "wss" });
    const plain = await TestSocket.open(plainClientUrl(url), JSON_PROTOCOL);
    expect(await plain.nextMessage((m) => m.type === "system")).toMatchObject({ userId: "wss" });
    secure.close();
    plain.close();
  });

  it("When a client does not trust the certificate, then the TLS handshake fails", async () => {
    const failure = await new Promise<Error>((resolve) => {
      const call = request(`${harness.emulator.url}/api/health`, { method: "HEAD" }, () =>
        resolve(new Error("answered")),
      );
      call.on("error", resolve);
      call.end();
    });
    expect(failure.message).toMatch(/self.signed/i);
  });

  it("When large REST bodies arrive over https and over plain http on the same port, then each is delivered whole", async () => {
    const client = await harness.connectUrl(plainClientUrl(await harness.clientUrl()));
    const text = "x".repeat(900_000);
    await harness.service.sendToConnection(client.connectionId, text, {
      contentType: "text/plain",
    });
    const plainService = new WebPubSubServiceClient(
      harness.emulator.connectionString.replace("https://", "http://"),
      harness.hub,
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await plainService.sendToConnection(client.connectionId, `${text}y`, {
      contentType: "text/plain",
    });
    await waitFor(() => dataMessages(client).length === 2, "both large messages");
    expect(dataMessages(client).map((m) => (m.data as string).length)).toEqual([900_000, 900_001]);
  });
});

/** The same client URL over plain ws (the harness's sockets are not given the certificate). */
function plainClientUrl(url: string): string {
  return url.replace(/^wss:/, "ws:");
}
