import { randomUUID } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient, type OnGroupDataMessageArgs } from "@azure/web-pubsub-client";
import { jwtVerify } from "jose";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntraIssuer } from "../fixtures/entraIssuer.js";
import { DEFAULT_ACCESS_KEY, startEmulator } from "../../emulator/index.js";
import { issuerCredential, issuerKeys } from "./support/entraCredentials.js";
import { dataMessages, Harness } from "./support/harness.js";
import { generateLoopbackCertificate } from "../fixtures/loopbackCertificate.js";
import { TestSocket } from "./support/TestSocket.js";
import { UpstreamRecorder } from "./support/UpstreamRecorder.js";
import { waitFor } from "./support/waitFor.js";

const certificate = await generateLoopbackCertificate();
const sdkOptions = { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 0 } };
const APP_RESOURCE = `api://${randomUUID()}`;

describe("emulator with local authentication disabled", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  const serviceIdentity = { objectId: randomUUID(), clientId: randomUUID() };
  let issuer: EntraIssuer;

  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    await upstream.start();
    await harness.start(
      {
        tls: certificate,
        disableLocalAuth: true,
        entraId: { authority: issuer.url, tenantId: issuer.tenantId },
        managedIdentity: {
          getToken: async (resource) => await issuer.issue(resource, { identity: serviceIdentity }),
        },
      },
      { options: sdkOptions, credential: issuerCredential(issuer) },
    );
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [
        {
          urlTemplate: upstream.urlTemplate,
          userEventPattern: "*",
          systemEvents: ["connect", "connected", "disconnected"],
          auth: { type: "ManagedIdentity", managedIdentity: { resource: APP_RESOURCE } },
        },
      ],
    });
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
    await issuer.close();
  });

  /** The SDK with the emulator's default access key, which local auth disabled must refuse. */
  const keyService = () =>
    new WebPubSubServiceClient(
      `Endpoint=${harness.emulator.url};AccessKey=${DEFAULT_ACCESS_KEY};Version=1.0;`,
      harness.hub,
      sdkOptions,
    );

  it("When local authentication is disabled, then the connection string carries no access key", () => {
    expect(harness.emulator.connectionString).toBe(`Endpoint=${harness.emulator.url};Version=1.0;`);
  });

  it("When getClientAccessToken runs with a TokenCredential, then :generateToken mints a token a WebPubSubClient connects with, and a group send with an Entra ID token reaches it", async () => {
    const received: OnGroupDataMessageArgs["message"][] = [];
    const client = new WebPubSubClient(
      {
        // The client SDK's WebSocket cannot be given the test certificate: plain ws, same port.
        getClientAccessUrl: async () => {
          const { url } = await harness.service.getClientAccessToken({
            userId: "entra-user",
            roles: ["webpubsub.joinLeaveGroup.room"],
          });
          return url.replace(/^wss:/, "ws:");
        },
      },
      { reconnectRetryOptions: { maxRetries: 0 } },
    );
    client.on("group-message", (event) => received.push(event.message));
    try {
      await client.start();
      await client.joinGroup("room");
      await harness.service.group("room").sendToAll("hello", { contentType: "text/plain" });
      await waitFor(() => received.length === 1, "the group message");
      expect(received[0]).toMatchObject({ group: "room", dataType: "text", data: "hello" });
      expect(await harness.service.userExists("entra-user")).toBe(true);
    } finally {
      client.stop();
    }
  });

  it("When a REST call is signed with the access key, then 401 in the service's error shape and nothing happens", async () => {
    const client = await harness.connectUrl(plain(await harness.clientUrl({ userId: "target" })));
    const service = keyService();
    await expect(
      service.sendToConnection(client.connectionId, "must not arrive", {
        contentType: "text/plain",
      }),
    ).rejects.toMatchObject({ statusCode: 401, code: "Unauthorized" });
    await expect(service.closeConnection(client.connectionId)).rejects.toMatchObject({
      statusCode: 401,
    });

    const url = `${plain(harness.emulator.url)}/api/hubs/${harness.hub}/:send?api-version=2024-12-01`;
    const token = jwt.sign({}, DEFAULT_ACCESS_KEY, { audience: url, expiresIn: 300 });
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "must not arrive",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("x-ms-error-code")).toBe("Unauthorized");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({
      code: "Unauthorized",
      message: "Invalid token: local authentication (access keys) is disabled.",
      target: "Request",
      details: null,
      innererror: null,
    });
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
    expect(dataMessages(client)).toEqual([]);
  });

  it("When a client token is signed with the access key (as getClientAccessToken does with a key), then the client is refused 401", async () => {
    const { url } = await keyService().getClientAccessToken({ userId: "key-client" });
    expect(await TestSocket.refusal(plain(url))).toBe(401);
    expect(upstream.requests.some((r) => r.headers["ce-userid"] === "key-client")).toBe(false);
    expect(await harness.service.userExists("key-client")).toBe(false);
  });

  it("When local authentication is disabled, then upstream requests carry no ce-signature but the handler's managed identity token", async () => {
    const client = await harness.connectUrl(plain(await harness.clientUrl({ userId: "unsigned" })));
    client.socket.send({ type: "event", event: "ping", data: "x", dataType: "text", ackId: 1 });
    await client.socket.ack(1);
    await upstream.waitForEvent("connected", client.connectionId);
    const requests = upstream.requests.filter(
      (r) => r.method === "OPTIONS" || r.headers["ce-connectionid"] === client.connectionId,
    );
    expect(requests.map((r) => r.headers["ce-eventname"] ?? r.method).sort()).toEqual([
      "OPTIONS",
      "connect",
      "connected",
      "ping",
    ]);
    const keys = await issuerKeys(issuer);
    for (const request of requests) {
      expect(request.headers["ce-signature"]).toBeUndefined();
      const token = String(request.headers.authorization).replace(/^Bearer /, "");
      const { payload } = await jwtVerify(token, keys, {
        issuer: issuer.v1Issuer,
        audience: APP_RESOURCE,
      });
      expect(payload.oid).toBe(serviceIdentity.objectId);
    }
  });

  it("When disableLocalAuth is set without entraId, then the emulator does not start", async () => {
    await expect(startEmulator({ port: 0, disableLocalAuth: true })).rejects.toThrow(/entraId/);
  });
});

/** A URL over plain http/ws: the harness's sockets and fetch are not given the certificate. */
function plain(url: string): string {
  return url.replace(/^wss:/, "ws:").replace(/^https:/, "http:");
}
