import { HttpRequest } from "@azure/functions";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { negotiate } from "../../functions/negotiate.js";
import { PRIMARY_KEY, TestApp } from "../fixtures/testApp.js";

/** The headers App Service authentication adds for a signed-in caller. */
function signedIn(id: string, query = ""): HttpRequest {
  const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [] })).toString("base64");
  return new HttpRequest({
    method: "GET",
    url: `http://localhost:7071/api/negotiate${query}`,
    headers: {
      "x-ms-client-principal": principal,
      "x-ms-client-principal-id": id,
      "x-ms-client-principal-name": `${id}@example.com`,
      "x-ms-client-principal-idp": "aad",
    },
  });
}

function anonymous(query = ""): HttpRequest {
  return new HttpRequest({ method: "GET", url: `http://localhost:7071/api/negotiate${query}` });
}

describe("negotiate", () => {
  const app = new TestApp();
  beforeAll(
    async () =>
      await app.start({
        WEBSITE_AUTH_ENABLED: "True",
        SWITCHBOARD_TOKEN_TTL_MINUTES: "5",
        SWITCHBOARD_TOKEN_ROLES: "webpubsub.joinLeaveGroup.lobby",
        SWITCHBOARD_TOKEN_GROUPS: "lobby",
      }),
  );
  afterAll(async () => await app.stop());

  it("When the caller is signed in, then the URL's token names that principal with settings' roles, groups and TTL", async () => {
    const before = Date.now();
    const response = await app.call(negotiate, signedIn("user-123"));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      "Cache-Control": "no-store",
      "Content-Type": "application/json; charset=utf-8",
    });
    const body = JSON.parse(response.text) as { url: string; expiresAt: string };
    const url = new URL(body.url);
    expect(url.protocol).toBe("ws:");
    expect(url.pathname).toBe("/client/hubs/chat");
    const token = url.searchParams.get("access_token") ?? "";
    const claims = jwt.verify(token, PRIMARY_KEY, { algorithms: ["HS256"] }) as jwt.JwtPayload;
    expect(claims.sub).toBe("user-123");
    expect(claims.role).toEqual(["webpubsub.joinLeaveGroup.lobby"]);
    expect(claims["webpubsub.group"]).toEqual(["lobby"]);
    expect(claims.aud).toBe(
      `${app.recorder.endpoint.replace("127.0.0.1", "127.0.0.1")}/client/hubs/chat`,
    );
    const expiresAt = new Date(body.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1000);
    expect(Math.abs((claims.exp ?? 0) * 1000 - expiresAt)).toBeLessThan(2000);
  });

  it("When the caller is signed in and passes ?userId=, then the principal wins", async () => {
    const response = await app.call(negotiate, signedIn("real-user", "?userId=admin"));
    const token =
      new URL((JSON.parse(response.text) as { url: string }).url).searchParams.get(
        "access_token",
      ) ?? "";
    expect((jwt.decode(token) as jwt.JwtPayload).sub).toBe("real-user");
  });

  it("When no principal is present, then 401 even with ?userId=", async () => {
    const response = await app.call(negotiate, anonymous("?userId=admin"));
    expect(response.status).toBe(401);
    expect(response.text).toMatch(/sign in first/);
  });

  it("When the principal headers are malformed, then 401, not 500", async () => {
    const request = new HttpRequest({
      method: "GET",
      url: "http://localhost:7071/api/negotiate",
      headers: { "x-ms-client-principal": "%%%not-base64-json" },
    });
    expect((await app.call(negotiate, request)).status).toBe(401);
    const partial = new HttpRequest({
      method: "GET",
      url: "http://localhost:7071/api/negotiate",
      headers: { "x-ms-client-principal": Buffer.from("{}").toString("base64") },
    });
    expect((await app.call(negotiate, partial)).status).toBe(401);
  });

  it("When App Service Authentication is off, then forged principal headers are ignored (401)", async () => {
    app.configure({ SWITCHBOARD_TOKEN_TTL_MINUTES: "5" });
    const forgedSwa = new HttpRequest({
      method: "GET",
      url: "http://localhost:7071/api/negotiate",
      headers: {
        "x-ms-client-principal": Buffer.from(
          JSON.stringify({ identityProvider: "x", userId: "admin" }),
        ).toString("base64"),
      },
    });
    expect((await app.call(negotiate, signedIn("root"))).status).toBe(401);
    expect((await app.call(negotiate, forgedSwa)).status).toBe(401);
    expect(
      app.logs.some(
        (line) => line.level === "warning" && line.text.includes("negotiate refuses every caller"),
      ),
    ).toBe(true);
    app.configure({ SWITCHBOARD_TRUST_PRINCIPAL_HEADERS: "true" });
    expect((await app.call(negotiate, signedIn("behind-a-front-end"))).status).toBe(200);
    app.configure({ WEBSITE_AUTH_ENABLED: "True" });
  });

  it("When the development setting allows ?userId=, then it is used and a warning is logged", async () => {
    app.configure({ WEBSITE_AUTH_ENABLED: "True", SWITCHBOARD_DEV_ALLOW_QUERY_USER_ID: "true" });
    const response = await app.call(negotiate, anonymous("?userId=dev-user"));
    expect(response.status).toBe(200);
    const token =
      new URL((JSON.parse(response.text) as { url: string }).url).searchParams.get(
        "access_token",
      ) ?? "";
    expect((jwt.decode(token) as jwt.JwtPayload).sub).toBe("dev-user");
    expect(
      app.logs.some(
        (line) =>
          line.level === "warning" && line.text.includes("SWITCHBOARD_DEV_ALLOW_QUERY_USER_ID"),
      ),
    ).toBe(true);
    expect((await app.call(negotiate, anonymous())).status).toBe(401);
    app.configure({ WEBSITE_AUTH_ENABLED: "True" });
  });
});
