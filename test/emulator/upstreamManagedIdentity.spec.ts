import { randomUUID } from "node:crypto";
import { ManagedIdentityCredential } from "@azure/identity";
import { decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EntraIssuer, type IssuedIdentity } from "../fixtures/entraIssuer.js";
import {
  startEmulator,
  tokenCredentialSource,
  type EventHandlerSetting,
} from "../../emulator/index.js";
import { issuerKeys, useManagedIdentityEndpoint } from "./support/entraCredentials.js";
import { Harness, type JsonClient } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import {
  acceptEverything,
  UpstreamRecorder,
  type RecordedRequest,
} from "./support/UpstreamRecorder.js";

/** A handler for every event; with `resource`, it authenticates the emulator with a token for it. */
function handlerFor(urlTemplate: string, resource?: string): EventHandlerSetting {
  return {
    urlTemplate,
    userEventPattern: "*",
    systemEvents: ["connect", "connected", "disconnected"],
    ...(resource === undefined
      ? {}
      : { auth: { type: "ManagedIdentity", managedIdentity: { resource } } }),
  };
}

function bearer(request: RecordedRequest): string {
  return String(request.headers.authorization).replace(/^Bearer /, "");
}

/** What the handler received: OPTIONS, or the event name of a POST. */
function kinds(requests: RecordedRequest[]): string[] {
  return requests.map((r) => String(r.headers["ce-eventname"] ?? r.method)).sort();
}

describe("emulator upstream auth with a managed identity", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  const serviceIdentity: IssuedIdentity = { objectId: randomUUID(), clientId: randomUUID() };
  const requested: string[] = [];
  const logs: string[] = [];
  let issuer: EntraIssuer;
  /** How long tokens issued from now live (seconds). */
  let lifetime = 3600;

  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    await upstream.start();
    await harness.start({
      log: (line) => logs.push(line),
      managedIdentity: {
        getToken: async (resource) => {
          requested.push(resource);
          if (resource === "api://broken") throw new Error("the identity endpoint is down");
          return await issuer.issue(resource, { identity: serviceIdentity, expiresIn: lifetime });
        },
      },
    });
  });
  beforeEach(() => {
    lifetime = 3600;
    requested.length = 0;
    logs.length = 0;
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
    await issuer.close();
  });

  /** A fresh hub whose one handler is the recorder, with a token for `resource` if given. */
  const hubFor = (resource?: string): string => {
    const hub = `mi${randomUUID().replace(/-/g, "").slice(0, 10)}`;
    harness.emulator.setHub(hub, { eventHandlers: [handlerFor(upstream.urlTemplate, resource)] });
    return hub;
  };

  /** A JSON client of `hub` that sends `count` user events and waits for their acks. */
  const connectAndSend = async (hub: string, count: number): Promise<JsonClient> => {
    const { url } = await harness.serviceFor(hub).getClientAccessToken();
    const client = await harness.connectUrl(url);
    for (let ackId = 1; ackId <= count; ackId++) {
      client.socket.send({ type: "event", event: "note", data: "x", dataType: "text", ackId });
      await client.socket.ack(ackId);
    }
    await upstream.waitForEvent("connected", client.connectionId);
    return client;
  };

  it("When a handler's auth is ManagedIdentity, then the validation and every event carry a bearer token for its resource, issued by the tenant to the service's identity", async () => {
    const resource = `api://${randomUUID()}`;
    await connectAndSend(hubFor(resource), 2);
    expect(kinds(upstream.requests)).toEqual(["OPTIONS", "connect", "connected", "note", "note"]);
    const keys = await issuerKeys(issuer);
    for (const request of upstream.requests) {
      const { payload } = await jwtVerify(bearer(request), keys, {
        issuer: issuer.v1Issuer,
        audience: resource,
        algorithms: ["RS256"],
      });
      expect(payload).toMatchObject({
        oid: serviceIdentity.objectId,
        appid: serviceIdentity.clientId,
        tid: issuer.tenantId,
      });
    }
    const events = upstream.requests.filter((request) => request.method === "POST");
    expect(
      events.every((request) => /^sha256=/.test(String(request.headers["ce-signature"]))),
    ).toBe(true);
  });

  it("When events keep going to a handler, then one token is fetched for its resource and reused", async () => {
    const resource = `api://${randomUUID()}`;
    const hub = hubFor(resource);
    await connectAndSend(hub, 3);
    await connectAndSend(hub, 1);
    expect(requested).toEqual([resource]);
    expect(new Set(upstream.requests.map(bearer)).size).toBe(1);
    expect(upstream.requests.length).toBe(9);
  });

  it("When two handlers name different resources, then each gets a token of its own", async () => {
    const [first, second] = [`api://${randomUUID()}`, `api://${randomUUID()}`];
    await connectAndSend(hubFor(first), 1);
    await connectAndSend(hubFor(second), 1);
    expect(requested).toEqual([first, second]);
    const audiences = upstream.requests.map((request) => decodeJwt(bearer(request)).aud);
    expect(new Set(audiences)).toEqual(new Set([first, second]));
  });

  it("When the token has less than five minutes left, then the next event fetches a new one", async () => {
    lifetime = 240;
    const resource = `api://${randomUUID()}`;
    const hub = `mi${randomUUID().replace(/-/g, "").slice(0, 10)}`;
    // User events only, each awaited: no two events share a fetch.
    harness.emulator.setHub(hub, {
      eventHandlers: [{ ...handlerFor(upstream.urlTemplate, resource), systemEvents: [] }],
    });
    const { url } = await harness.serviceFor(hub).getClientAccessToken();
    const client = await harness.connectUrl(url);
    for (let ackId = 1; ackId <= 3; ackId++) {
      client.socket.send({ type: "event", event: "note", data: "x", dataType: "text", ackId });
      await client.socket.ack(ackId);
    }
    expect(kinds(upstream.requests)).toEqual(["OPTIONS", "note", "note", "note"]);
    expect(requested).toEqual([resource, resource, resource]);
  });

  it("When no token can be had, then the connect event is not sent, the client is refused 500 and the failure is logged", async () => {
    const hub = hubFor("api://broken");
    const { url } = await harness.serviceFor(hub).getClientAccessToken({ userId: "no-token" });
    expect(await TestSocket.refusal(url)).toBe(500);
    expect(upstream.requests).toEqual([]);
    expect(requested).toEqual(["api://broken"]);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /connect of .* not sent: no managed identity token for api:\/\/broken \(the identity endpoint is down\)/,
      ),
    );
  });

  it("When no token can be had for a handler without connect, then connected is lost and a user event is acked InternalServerError, both logged", async () => {
    const hub = `mi${randomUUID().replace(/-/g, "").slice(0, 10)}`;
    harness.emulator.setHub(hub, {
      eventHandlers: [
        { ...handlerFor(upstream.urlTemplate, "api://broken"), systemEvents: ["connected"] },
      ],
    });
    const { url } = await harness.serviceFor(hub).getClientAccessToken();
    const client = await harness.connectUrl(url);
    client.socket.send({ type: "event", event: "note", data: "x", dataType: "text", ackId: 1 });
    expect(await client.socket.ack(1)).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
    expect(upstream.requests).toEqual([]);
    for (const event of ["connected", "note"]) {
      expect(logs).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${event} of ${client.connectionId} not sent: no managed identity token`),
        ),
      );
    }
  });

  it("When an event is retried, then the retry carries the same token", async () => {
    const resource = `api://${randomUUID()}`;
    let failures = 1;
    upstream.reply = (request) => {
      if (request.method === "POST" && request.headers["ce-eventname"] === "note" && failures > 0) {
        failures--;
        return { status: 503 };
      }
      return acceptEverything(request);
    };
    try {
      await connectAndSend(hubFor(resource), 1);
    } finally {
      upstream.reply = acceptEverything;
    }
    const notes = upstream.requests.filter((r) => r.headers["ce-eventname"] === "note");
    expect(notes.length).toBe(2);
    expect(notes[0]?.headers.authorization).toBeDefined();
    expect(notes[1]?.headers.authorization).toBe(notes[0]?.headers.authorization);
    expect(requested).toEqual([resource]);
  });

  it("When a handler has no auth, then its requests carry no Authorization header and no token is fetched", async () => {
    await connectAndSend(hubFor(), 1);
    expect(kinds(upstream.requests)).toEqual(["OPTIONS", "connect", "connected", "note"]);
    expect(upstream.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(requested).toEqual([]);
  });
});

describe("emulator upstream auth without a managed identity", () => {
  it("When a handler asks for a managed identity token and the emulator has none, then setHub throws and startEmulator rejects", async () => {
    const handler = handlerFor("http://127.0.0.1:9/{event}", "api://app");
    const emulator = await startEmulator({ port: 0 });
    try {
      expect(() => emulator.setHub("chat", { eventHandlers: [handler] })).toThrow(
        /managed identity/,
      );
    } finally {
      await emulator.close();
    }
    await expect(
      startEmulator({ port: 0, hubs: { chat: { eventHandlers: [handler] } } }),
    ).rejects.toThrow(/no managedIdentity option/);
  });
});

describe("emulator upstream auth with an @azure/identity credential", () => {
  const harness = new Harness();
  const upstream = new UpstreamRecorder();
  let issuer: EntraIssuer;
  let undoEnvironment: () => void;
  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    undoEnvironment = useManagedIdentityEndpoint(issuer);
    await upstream.start();
    await harness.start({
      managedIdentity: tokenCredentialSource(new ManagedIdentityCredential()),
    });
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.stop();
    await issuer.close();
    undoEnvironment();
  });

  it("When the source is tokenCredentialSource(ManagedIdentityCredential), then the handler's tokens come from the managed identity endpoint, once per resource", async () => {
    const resource = `api://${randomUUID()}`;
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [handlerFor(upstream.urlTemplate, resource)],
    });
    const first = await harness.connect({ userId: "one" });
    const second = await harness.connect({ userId: "two" });
    await upstream.waitForEvent("connected", first.connectionId);
    await upstream.waitForEvent("connected", second.connectionId);
    expect(issuer.served.managedIdentityTokens).toBe(1);
    expect(issuer.requestedResources).toEqual([resource]);
    const keys = await issuerKeys(issuer);
    for (const request of upstream.requests) {
      const { payload } = await jwtVerify(bearer(request), keys, {
        issuer: issuer.v1Issuer,
        audience: resource,
      });
      expect(payload.oid).toBe(issuer.identity.objectId);
    }
  });
});
