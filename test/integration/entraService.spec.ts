import { randomUUID } from "node:crypto";
import { HttpRequest } from "@azure/functions";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { negotiate } from "../../functions/negotiate.js";
import { EntraIssuer } from "../fixtures/entraIssuer.js";
import { PRIMARY_KEY, TestApp } from "../fixtures/testApp.js";

const EVENT_AUDIENCE = "api://switchboard-events";

/** The headers App Service Authentication adds for a signed-in caller. */
function signedIn(id: string): HttpRequest {
  const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [] })).toString("base64");
  return new HttpRequest({
    method: "GET",
    url: "http://localhost:7071/api/negotiate",
    headers: {
      "x-ms-client-principal": principal,
      "x-ms-client-principal-id": id,
      "x-ms-client-principal-name": `${id}@example.com`,
      "x-ms-client-principal-idp": "aad",
    },
  });
}

/**
 * A hub with access keys disabled: the app calls the REST API with its managed identity's token
 * (from the App Service identity endpoint, as on Azure) and takes events by the hub's token.
 */
describe("Web PubSub by Entra ID only (keys disabled)", () => {
  const app = new TestApp();
  let issuer: EntraIssuer;
  /** The Web PubSub resource's own managed identity, which authenticates its webhooks. */
  const hubIdentity = { objectId: randomUUID(), clientId: randomUUID() };
  const saved = { ...process.env };
  const settings = () => ({
    AZURE_WEBPUBSUB_CONNECTION_STRING: undefined,
    AZURE_WEBPUBSUB_SECONDARY_KEY: undefined,
    AZURE_WEBPUBSUB_ENDPOINT: app.recorder.endpoint,
    SWITCHBOARD_EVENT_AUTH: "entra",
    SWITCHBOARD_EVENT_AUDIENCE: EVENT_AUDIENCE,
    SWITCHBOARD_EVENT_TENANT_ID: issuer.tenantId,
    SWITCHBOARD_EVENT_IDENTITY: hubIdentity.objectId,
    SWITCHBOARD_ENTRA_AUTHORITY: issuer.url,
    SWITCHBOARD_JOIN_GROUPS: "room",
    WEBSITE_AUTH_ENABLED: "True",
  });

  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    // Where @azure/identity's managed identity credential asks for the app's tokens on App Service.
    process.env.IDENTITY_ENDPOINT = issuer.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = issuer.identityHeader;
    await app.recorder.start({ tls: inject("tls") });
    app.configure(settings());
    app.recorder.entra = issuer;
    app.recorder.localAuth = false;
    const token = await issuer.issue(EVENT_AUDIENCE, { identity: hubIdentity });
    app.eventHeaders = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app.stop();
    await issuer.close();
    process.env = { ...saved };
  });
  beforeEach(() => {
    app.recorder.clear();
    app.logs.length = 0;
  });

  it("When the app's identity gets no token, then the sender gets unavailable and the operator an error; nothing is sent", async () => {
    const client = await app.client({ userId: "bea" });
    // First in this file: @azure/identity keeps managed identity tokens in a process-wide cache.
    issuer.managedIdentityFault = 403;
    try {
      const ack = (await client.say({ type: "send", user: "cy", data: "x", id: "m1" })).json();
      expect(ack).toMatchObject({ ok: false, error: { code: "unavailable" } });
      expect(app.recorder.calls).toEqual([]);
      const error = app.logs.find((line) => line.level === "error");
      expect(error?.text).toMatch(/"dependency":"identity"/);
    } finally {
      issuer.managedIdentityFault = undefined;
    }
  });

  it("When a signed-in user negotiates, then the token is minted by :generateToken under the app's identity", async () => {
    const response = await app.call(negotiate, signedIn("user-7"));
    expect(response.status).toBe(200);
    const [call] = app.recorder.callsTo(":generateToken");
    expect(call?.method).toBe("POST");
    expect(call?.query.get("userId")).toBe("user-7");
    expect(call?.caller).toMatchObject({
      aud: "https://webpubsub.azure.com",
      oid: issuer.identity.objectId,
      tid: issuer.tenantId,
    });
    const url = new URL((JSON.parse(response.text) as { url: string }).url);
    const token = url.searchParams.get("access_token") ?? "";
    expect(jwt.verify(token, PRIMARY_KEY)).toMatchObject({ sub: "user-7" });
    expect(app.recorder.rejected).toEqual([]);
  });

  it("When a client connects, joins and sends with the hub's token on every event, then each REST call carries the app's Entra ID token", async () => {
    const client = await app.client({ userId: "ada" });
    const joined = (await client.say({ type: "join", group: "room", id: "j" })).json();
    expect(joined).toMatchObject({ ok: true });
    await client.say({ type: "send", group: "room", data: "hi" });
    const calls = app.recorder.calls.map((call) => call.segments.join("/"));
    expect(calls).toEqual([`groups/room/connections/${client.connectionId}`, "groups/room/:send"]);
    for (const call of app.recorder.calls) {
      expect(call.caller?.oid).toBe(issuer.identity.objectId);
    }
    expect(app.recorder.rejected).toEqual([]);
    expect((await app.tableRows.connectionRow(client.connectionId))?.state).toBe("live");
  });
});
