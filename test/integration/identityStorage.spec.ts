import { randomUUID } from "node:crypto";
import { request } from "node:https";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { events } from "../../functions/events.js";
import { startAzurite, type RunningAzurite } from "../../dev/startAzurite.js";
import { AppTable } from "../fixtures/appTable.js";
import { EntraIssuer } from "../fixtures/entraIssuer.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

const STORAGE = "https://storage.azure.com";

/**
 * Table Storage by managed identity, end to end: the app has only an identity-based connection
 * (`__tableServiceUri`, `__credential=managedidentity`), gets its tokens from the App Service
 * managed identity endpoint of a local Entra ID, and writes to an Azurite that serves https
 * with the run's loopback certificate and checks bearer tokens (`--oauth basic`).
 */
describe("Table Storage by managed identity", () => {
  const app = new TestApp();
  let issuer: EntraIssuer;
  let azurite: RunningAzurite;
  const saved = { ...process.env };
  const settings = (prefix: "AzureWebJobsStorage" | "SWITCHBOARD_STORAGE") => ({
    AzureWebJobsStorage: undefined,
    [`${prefix}__tableServiceUri`]: azurite.endpoint,
    [`${prefix}__credential`]: "managedidentity",
    [`${prefix}__clientId`]: issuer.identity.clientId,
  });
  /** A separate client reading the app's table by the account key. */
  const rows = () =>
    new AppTable(TableClient.fromConnectionString(azurite.connectionString, app.table), app.hub);
  const connect = async () => {
    const connectionId = uniqueId();
    const body = JSON.stringify({ claims: { sub: ["alice"] } });
    const response = await app.call(
      events,
      app.event({ event: "connect", connectionId, userId: "alice", body }),
    );
    return { connectionId, status: response.status };
  };

  beforeAll(async () => {
    const tls = inject("tls");
    [issuer, azurite] = await Promise.all([
      EntraIssuer.start(),
      startAzurite(undefined, { https: { cert: tls.certFile, key: tls.keyFile }, oauth: true }),
    ]);
    process.env.IDENTITY_ENDPOINT = issuer.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = issuer.identityHeader;
    await app.start(settings("AzureWebJobsStorage"));
  });
  afterAll(async () => {
    await app.stop();
    await azurite.stop();
    await issuer.close();
    process.env = { ...saved };
  });

  // First in this file: @azure/identity keeps managed identity tokens in a process-wide cache.
  it("When the identity endpoint refuses the app a token, then connect answers 500, the identity failure is logged as an error and no row is written", async () => {
    issuer.managedIdentityFault = 403;
    try {
      const { connectionId, status } = await connect();
      expect(status).toBe(500);
      const error = app.logs.find((line) => line.level === "error")?.text;
      expect(error).toMatch(/"dependency":"identity"/);
      expect(error).toMatch(/ManagedIdentityCredential/);
      expect(await rows().connectionRow(connectionId)).toBeUndefined();
    } finally {
      issuer.managedIdentityFault = undefined;
    }
  });

  it("When a signed connect event arrives, then the row is written through the client the managed identity authenticates", async () => {
    const { connectionId, status } = await connect();
    expect(status).toBe(204);
    expect(await rows().connectionRow(connectionId)).toMatchObject({ userId: "alice" });
    expect(issuer.requestedResources).toContain(STORAGE);
  });

  it("When SWITCHBOARD_STORAGE__* names a user-assigned identity by __clientId, then rows are written and every token request carries client_id", async () => {
    app.configure(settings("SWITCHBOARD_STORAGE"));
    expect((await connect()).status).toBe(204);
    const asked = issuer.managedIdentityRequests.filter(
      (query) => query.get("resource") === STORAGE,
    );
    expect(asked.length).toBeGreaterThan(0);
    for (const query of asked) expect(query.get("client_id")).toBe(issuer.identity.clientId);
  });

  it("When Azurite is called without a token, or with one for another audience, issuer or time, then it refuses", async () => {
    const tables = `${azurite.endpoint}/Tables`;
    const refusal = (detail: string) => ({
      status: 403,
      body: expect.stringContaining(detail) as unknown,
    });
    const bearer = async (token: Promise<string>) => await get(tables, `Bearer ${await token}`);
    expect(await get(tables)).toMatchObject(refusal("AuthorizationFailure"));
    expect(await bearer(issuer.issue("https://vault.azure.net"))).toMatchObject(
      refusal("Invalid token audience."),
    );
    expect(await bearer(issuer.issue(STORAGE, { version: 2 }))).toMatchObject(
      refusal("Invalid token issuer."),
    );
    expect(await bearer(issuer.issue(STORAGE, { expiresIn: -60 }))).toMatchObject(
      refusal("The token is expired."),
    );
    expect(await bearer(issuer.issue(STORAGE))).toMatchObject({ status: 200 });
  });

  /** A GET over https (the run's certificate is trusted), with a bearer token when given. */
  async function get(
    url: string,
    authorization?: string,
  ): Promise<{ status: number; body: string }> {
    return await new Promise((resolve, reject) => {
      const headers = {
        accept: "application/json;odata=nometadata",
        "x-ms-version": "2019-02-02",
        "x-ms-client-request-id": randomUUID(),
        ...(authorization === undefined ? {} : { authorization }),
      };
      const call = request(url, { headers }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      call.once("error", reject);
      call.end();
    });
  }
});
