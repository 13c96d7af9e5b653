import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("connect", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());

  const connectRequest = (body: object, userId?: string, connectionId = uniqueId()) =>
    app.event({
      event: "connect",
      connectionId,
      userId,
      body: JSON.stringify(body),
    });

  it("When the token carries a user id and nothing is configured, then 204 keeps the token's settings", async () => {
    const response = await app.call(
      events,
      connectRequest({ claims: { sub: ["alice"] } }, "alice"),
    );
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
  });

  it("When the token carries no user id, then 401 with a reason", async () => {
    const response = await app.call(
      events,
      connectRequest({ claims: {}, query: { userId: ["mallory"] } }),
    );
    expect(response.status).toBe(401);
    expect(response.text).toMatch(/no user id/);
  });

  it("When the user id is only in the claims, then it is accepted", async () => {
    const response = await app.call(
      events,
      connectRequest({ claims: { sub: ["bob"] }, subprotocols: ["json.webpubsub.azure.v1"] }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ subprotocol: "json.webpubsub.azure.v1" });
  });

  it("When the client offers supported subprotocols, then the first supported one in its order is chosen", async () => {
    const body = {
      claims: { sub: ["a"] },
      subprotocols: ["mqtt", "json.reliable.webpubsub.azure.v1", "json.webpubsub.azure.v1"],
    };
    const response = await app.call(events, connectRequest(body, "a"));
    expect(JSON.parse(response.text)).toEqual({ subprotocol: "json.reliable.webpubsub.azure.v1" });
  });

  it("When the client offers only unknown subprotocols, then none is chosen", async () => {
    const response = await app.call(events, connectRequest({ subprotocols: ["chat.v9"] }, "a"));
    expect(response.status).toBe(204);
  });

  it("When groups and roles are configured, then the answer grants them and the store records the effective roles", async () => {
    app.configure({
      SWITCHBOARD_CONNECT_GROUPS: "lobby,news",
      SWITCHBOARD_CONNECT_ROLES: "webpubsub.joinLeaveGroup.lobby",
    });
    const body = { claims: { sub: ["carol"], role: ["reader"], "webpubsub.group": ["vip"] } };
    const connectionId = uniqueId();
    const response = await app.call(events, connectRequest(body, "carol", connectionId));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "Content-Type": "application/json; charset=utf-8" });
    expect(JSON.parse(response.text)).toEqual({
      roles: ["reader", "webpubsub.joinLeaveGroup.lobby"],
      groups: ["vip", "lobby", "news"],
    });
    const row = await app.tableRows.connectionRow(connectionId);
    expect(JSON.parse(row?.roles as string)).toEqual(["reader", "webpubsub.joinLeaveGroup.lobby"]);
    for (const group of ["vip", "lobby", "news"]) {
      expect(await app.tableRows.groupMembers(group)).toEqual([connectionId]);
    }
    app.configure();
  });

  it("When anonymous users are allowed, then a user id is assigned from the connection id", async () => {
    app.configure({ SWITCHBOARD_ALLOW_ANONYMOUS: "true" });
    const connectionId = uniqueId();
    const response = await app.call(events, connectRequest({}, undefined, connectionId));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ userId: `anonymous.${connectionId}` });
    app.configure();
  });

  it("When the user already has the maximum number of connections, then 403 with a reason", async () => {
    app.configure({ SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "2" });
    const userId = uniqueId("u");
    for (let i = 0; i < 2; i++) {
      expect((await app.call(events, connectRequest({}, userId))).status).toBe(204);
    }
    const refused = await app.call(events, connectRequest({}, userId));
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/already has 2 connections/);
    expect((await app.call(events, connectRequest({}, uniqueId("other")))).status).toBe(204);
    expect(await app.tableRows.userSlots(userId)).toHaveLength(2);
    app.configure();
  });
});
