import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { events } from "../../functions/events.js";
import { EntraIssuer, type IssueOptions } from "../fixtures/entraIssuer.js";
import { freePort } from "../../dev/startAzurite.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

const AUDIENCE = "api://switchboard-events";

describe("events authenticated by Entra ID token (SWITCHBOARD_EVENT_AUTH=entra)", () => {
  const app = new TestApp();
  let issuer: EntraIssuer;
  const settings = () => ({
    SWITCHBOARD_EVENT_AUTH: "entra",
    SWITCHBOARD_EVENT_AUDIENCE: AUDIENCE,
    SWITCHBOARD_EVENT_TENANT_ID: issuer.tenantId,
    SWITCHBOARD_EVENT_IDENTITY: issuer.identity.objectId,
    SWITCHBOARD_ENTRA_AUTHORITY: issuer.url,
    // No key for events: the secondary key is the app's only way to check signatures otherwise.
    AZURE_WEBPUBSUB_SECONDARY_KEY: undefined,
  });

  beforeAll(async () => {
    issuer = await EntraIssuer.start();
    await app.start(settings());
  });
  afterAll(async () => {
    await app.stop();
    await issuer.close();
  });
  beforeEach(() => {
    app.logs.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A connect event carrying `authorization` and no signature; its row tells if it was applied. */
  const connect = async (authorization: string | undefined, body = "{}") => {
    const connectionId = uniqueId();
    const response = await app.call(
      events,
      app.event({
        event: "connect",
        connectionId,
        keys: [],
        body,
        headers: { authorization },
      }),
    );
    return {
      status: response.status,
      text: response.text,
      row: await app.tableRows.connectionRow(connectionId),
    };
  };
  const bearer = async (options: IssueOptions = {}, audience = AUDIENCE) =>
    `Bearer ${await issuer.issue(audience, options)}`;

  it("When a v1 token of the hub's identity arrives, then the event is applied", async () => {
    expect(await connect(await bearer({ version: 1 }))).toMatchObject({
      status: 204,
      row: { state: "live" },
    });
  });

  it("When a v2 token of the hub's identity arrives, then the event is applied", async () => {
    expect(await connect(await bearer({ version: 2 }))).toMatchObject({
      status: 204,
      row: { state: "live" },
    });
  });

  it("When the token expired or starts less than the 60 s clock skew away, then the event is applied", async () => {
    expect((await connect(await bearer({ expiresIn: -30 }))).status).toBe(204);
    expect((await connect(await bearer({ notBefore: 30 }))).status).toBe(204);
  });

  it("When the identity is named by its client id (appid or azp), then the event is applied", async () => {
    app.configure({ ...settings(), SWITCHBOARD_EVENT_IDENTITY: issuer.identity.clientId });
    expect((await connect(await bearer({ version: 1 }))).status).toBe(204);
    expect((await connect(await bearer({ version: 2 }))).status).toBe(204);
    app.configure(settings());
  });

  it.each<[string, () => Promise<string | undefined> | string | undefined, RegExp]>([
    ["no Authorization header", () => undefined, /Bearer <token> is missing/],
    ["a Basic credential", () => "Basic dXNlcjpwYXNz", /Bearer <token> is missing/],
    ["a token that is no JWT", () => "Bearer not-a-token", /not a signed JWT/],
    [
      "a token for another audience",
      async () => await bearer({}, "api://someone-else"),
      /'aud' claim is not accepted/,
    ],
    [
      "a token from another issuer",
      async () => await bearer({ claims: { iss: "https://login.example.net/x/v2.0" } }),
      /'iss' claim is not accepted/,
    ],
    [
      "a token of another tenant",
      async () => await bearer({ tenantId: randomUUID() }),
      /'iss' claim is not accepted/,
    ],
    [
      "a token of this tenant's issuer naming another tid",
      async () => await bearer({ claims: { tid: randomUUID() } }),
      /issued for another tenant/,
    ],
    ["an expired token", async () => await bearer({ expiresIn: -120 }), /has expired/],
    [
      "a token not valid yet",
      async () => await bearer({ notBefore: 600 }),
      /'nbf' claim is not accepted/,
    ],
    ["an unsigned token (alg none)", async () => await bearer({ unsigned: true }), /RS256/],
    [
      "a token signed by a key the tenant never published",
      async () => await bearer({ unknownKey: true }),
      /key the tenant does not publish/,
    ],
    [
      "a token of another identity of the tenant",
      async () => await bearer({ identity: { objectId: randomUUID(), clientId: randomUUID() } }),
      /belongs to another identity/,
    ],
  ])(
    "When the event carries %s, then 401 with the reason and nothing is written",
    async (_, authorization, reason) => {
      const outcome = await connect(await authorization());
      expect(outcome).toEqual({ status: 401, text: expect.stringMatching(reason), row: undefined });
    },
  );

  it("When a valid signature comes without a token, then 401: the signature does not count", async () => {
    const connectionId = uniqueId();
    const response = await app.call(events, app.event({ event: "connect", connectionId }));
    expect(response.status).toBe(401);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it("When a bad token comes with a body over the limit, then 401: the body is never read", async () => {
    const outcome = await connect("Bearer x.y.z", "x".repeat(2 * 1024 * 1024));
    expect(outcome.status).toBe(401);
  });

  it("When many events arrive, then the tenant's metadata and keys are fetched once", async () => {
    app.configure(settings());
    const before = { ...issuer.served };
    for (let i = 0; i < 5; i++) expect((await connect(await bearer())).status).toBe(204);
    expect(issuer.served.metadata - before.metadata).toBe(1);
    expect(issuer.served.keys - before.keys).toBe(1);
  });

  it("When the tenant rotates its signing key, then a token with the new kid is accepted after one refresh", async () => {
    app.configure(settings());
    expect((await connect(await bearer())).status).toBe(204);
    const keysBefore = issuer.served.keys;
    await issuer.rotate();
    // Past the cool-down that keeps unknown kids from fetching the key set on every request.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
    expect((await connect(await bearer())).status).toBe(204);
    expect(issuer.served.keys - keysBefore).toBe(1);
    // A key nobody published, right after: refused without another fetch.
    expect((await connect(await bearer({ unknownKey: true }))).status).toBe(401);
    expect(issuer.served.keys - keysBefore).toBe(1);
  });

  it("When Entra ID cannot be reached, then 500, the cause is logged as an error and nothing is written", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    app.configure({ ...settings(), SWITCHBOARD_ENTRA_AUTHORITY: closed });
    const outcome = await connect(await bearer());
    expect(outcome).toEqual({ status: 500, text: "internal error", row: undefined });
    const error = app.logs.find((line) => line.level === "error");
    expect(error?.text).toMatch(/Microsoft Entra ID could not be reached/);
    expect(error?.text).toMatch(/dependency: 'identity'/);
    app.configure(settings());
  });
});
