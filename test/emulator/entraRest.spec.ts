import { ManagedIdentityCredential } from "@azure/identity";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntraIssuer, type IssueOptions } from "../fixtures/entraIssuer.js";
import { startEmulator } from "../../emulator/index.js";
import {
  issuerCredential,
  useManagedIdentityEndpoint,
  type TestCredential,
} from "./support/entraCredentials.js";
import { dataMessages, Harness, type JsonClient } from "./support/harness.js";
import { generateLoopbackCertificate } from "../fixtures/loopbackCertificate.js";
import { waitFor } from "./support/waitFor.js";

const certificate = await generateLoopbackCertificate();
const sdkOptions = { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 0 } };
const WEB_PUBSUB = "https://webpubsub.azure.com";

/** A JSON client of the harness's hub, over ws on the emulator's TLS port. */
async function connect(harness: Harness, groups: string[] = []): Promise<JsonClient> {
  const url = await harness.clientUrl({ groups });
  return await harness.connectUrl(url.replace(/^wss:/, "ws:"));
}

describe("emulator REST API with Entra ID tokens", () => {
  const harness = new Harness();
  let issuer: EntraIssuer;
  let undoEnvironment: () => void;
  const serviceWith = (credential: TestCredential | ManagedIdentityCredential) =>
    new WebPubSubServiceClient(harness.emulator.url, credential, harness.hub, sdkOptions);
  const issued = (options: IssueOptions, audience?: string) =>
    serviceWith(issuerCredential(issuer, options, audience));

  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    undoEnvironment = useManagedIdentityEndpoint(issuer);
    await harness.start(
      { tls: certificate, entraId: { authority: issuer.url, tenantId: issuer.tenantId } },
      { options: sdkOptions },
    );
  });
  afterAll(async () => {
    await harness.stop();
    await issuer.close();
    undoEnvironment();
  });

  it("When WebPubSubServiceClient authenticates with ManagedIdentityCredential, then its group send reaches the group's members", async () => {
    const member = await connect(harness, ["room"]);
    const outsider = await connect(harness);
    const service = serviceWith(new ManagedIdentityCredential());
    await service.group("room").sendToAll({ hello: "entra" });
    await waitFor(() => dataMessages(member).length === 1, "the group message");
    expect(dataMessages(member)).toEqual([
      { type: "message", from: "group", group: "room", dataType: "json", data: { hello: "entra" } },
    ]);
    expect(issuer.requestedResources).toEqual([WEB_PUBSUB]);
    expect(await service.groupExists("room")).toBe(true);
    expect(dataMessages(outsider)).toEqual([]);
  });

  it("When tokens are v1 or v2 and their audience has a trailing slash or not, then the calls succeed", async () => {
    const client = await connect(harness);
    const variants: [IssueOptions, string][] = [
      [{ version: 1 }, WEB_PUBSUB],
      [{ version: 2 }, WEB_PUBSUB],
      [{ version: 1 }, `${WEB_PUBSUB}/`],
      [{ version: 2 }, `${WEB_PUBSUB}/`],
    ];
    for (const [options, audience] of variants) {
      await issued(options, audience).sendToConnection(client.connectionId, audience, {
        contentType: "text/plain",
      });
    }
    await waitFor(() => dataMessages(client).length === 4, "four messages");
    expect(dataMessages(client).map((m) => m.data)).toEqual(variants.map(([, aud]) => aud));
  });

  it("When a token has a wrong audience or another tenant, has expired, is not yet valid, has no exp, is signed by an unknown key or is unsigned, then 401 Unauthorized naming the reason and nothing is sent", async () => {
    const client = await connect(harness);
    const refused: [string, TestCredential, RegExp][] = [
      ["wrong audience", issuerCredential(issuer, {}, "https://storage.azure.com"), /"aud"/],
      ["another tenant", issuerCredential(issuer, { tenantId: crypto.randomUUID() }), /"iss"/],
      ["another tenant (v2)", issuerCredential(issuer, { version: 2, tenantId: "x" }), /"iss"/],
      ["expired", issuerCredential(issuer, { expiresIn: -600 }), /"exp"/],
      ["not yet valid", issuerCredential(issuer, { notBefore: 900 }), /"nbf"/],
      ["unknown key", issuerCredential(issuer, { unknownKey: true }), /no applicable key/],
      ["unsigned", issuerCredential(issuer, { unsigned: true }), /"alg"/],
      ["no exp", issuerCredential(issuer, { claims: { exp: undefined } }), /missing .*"exp"/],
    ];
    for (const [why, credential, reason] of refused) {
      const call = serviceWith(credential).sendToConnection(client.connectionId, why, {
        contentType: "text/plain",
      });
      await expect(call, why).rejects.toMatchObject({
        statusCode: 401,
        code: "Unauthorized",
        message: expect.stringMatching(reason),
      });
    }
    expect(dataMessages(client)).toEqual([]);
  });

  it("When the issuer rotates its signing key, then tokens signed with the new key are accepted", async () => {
    await issued({}).sendToAll("before the rotation", { contentType: "text/plain" });
    const keysServed = issuer.served.keys;
    await issuer.rotate();
    await issued({}).sendToAll("after the rotation", { contentType: "text/plain" });
    expect(issuer.served.keys).toBe(keysServed + 1);
    await issued({}).sendToAll("again", { contentType: "text/plain" });
    expect(issuer.served.keys).toBe(keysServed + 1);
  });

  it("When local authentication is on, then access-key tokens keep working beside Entra ID tokens", async () => {
    const client = await connect(harness);
    await harness.service.sendToConnection(client.connectionId, "by key", {
      contentType: "text/plain",
    });
    await issued({}).sendToConnection(client.connectionId, "by entra", {
      contentType: "text/plain",
    });
    await waitFor(() => dataMessages(client).length === 2, "both messages");
    expect(harness.emulator.connectionString).toContain("AccessKey=");
  });

  it("When the tenant's OpenID metadata cannot be fetched, then the call answers 500 and the emulator logs why", async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({
      port: 0,
      tls: certificate,
      entraId: { authority: issuer.url, tenantId: "no-such-tenant" },
      log: (line) => lines.push(line),
    });
    try {
      const service = new WebPubSubServiceClient(
        emulator.url,
        issuerCredential(issuer),
        "hub",
        sdkOptions,
      );
      await expect(service.sendToAll("x")).rejects.toMatchObject({ statusCode: 500 });
      expect(
        lines.some((line) => /OpenID metadata .*no-such-tenant.* answered 404/.test(line)),
      ).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});

describe("emulator REST API without entraId", () => {
  it("When an Entra ID token reaches an emulator without entraId, then 401", async () => {
    const issuer = await EntraIssuer.start();
    const emulator = await startEmulator({ port: 0 });
    try {
      const response = await fetch(`${emulator.url}/api/hubs/chat/:send?api-version=2024-12-01`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await issuer.issue(WEB_PUBSUB)}`,
          "content-type": "text/plain",
        },
        body: "x",
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("x-ms-error-code")).toBe("Unauthorized");
    } finally {
      await emulator.close();
      await issuer.close();
    }
  });
});

describe("emulator REST API with unvalidated Entra ID tokens", () => {
  const harness = new Harness();
  let issuer: EntraIssuer;
  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    await harness.start(
      { tls: certificate, entraId: { allowUnvalidatedTokens: true } },
      { options: sdkOptions },
    );
  });
  afterAll(async () => {
    await harness.stop();
    await issuer.close();
  });
  const serviceWith = (credential: TestCredential) =>
    new WebPubSubServiceClient(harness.emulator.url, credential, harness.hub, sdkOptions);

  it("When unvalidated tokens are allowed, then a token from any tenant or key, even unsigned, is accepted for the Web PubSub audience without fetching any key", async () => {
    const client = await connect(harness);
    for (const options of [{ tenantId: "any" }, { unknownKey: true }, { unsigned: true }]) {
      await serviceWith(issuerCredential(issuer, options)).sendToConnection(
        client.connectionId,
        "accepted",
        { contentType: "text/plain" },
      );
    }
    await waitFor(() => dataMessages(client).length === 3, "three messages");
    expect(issuer.served).toMatchObject({ metadata: 0, keys: 0 });
  });

  it("When unvalidated tokens are allowed, then a wrong audience or an expired token is still refused 401", async () => {
    for (const credential of [
      issuerCredential(issuer, {}, "https://storage.azure.com"),
      issuerCredential(issuer, { expiresIn: -600 }),
    ]) {
      await expect(serviceWith(credential).sendToAll("x")).rejects.toMatchObject({
        statusCode: 401,
      });
    }
  });
});
