import { HttpRequest } from "@azure/functions";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { admin } from "../../functions/admin.js";
import { ADMIN_ROUTES } from "../../shared/admin/adminRoutes.js";
import { silentLog } from "../../shared/log/log.js";
import { Keys } from "../../shared/state/keys.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

const ROLE_TYPE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

interface Caller {
  readonly id: string;
  readonly roles?: readonly string[];
  /** The claim type the roles are given as (default: the one `role_typ` names). */
  readonly claimType?: string;
}

/** An admin API request with the headers App Service Authentication adds for `caller`. */
function adminRequest(
  method: string,
  path: string,
  init: { caller?: Caller | undefined; body?: string | Uint8Array; contentType?: string } = {},
): HttpRequest {
  const caller = "caller" in init ? init.caller : { id: "ops-1", roles: ["Switchboard.Admin"] };
  const headers: Record<string, string> = {};
  if (caller !== undefined) {
    const claims = (caller.roles ?? []).map((val) => ({ typ: caller.claimType ?? ROLE_TYPE, val }));
    const principal = { auth_typ: "aad", name_typ: "name", role_typ: ROLE_TYPE, claims };
    headers["x-ms-client-principal"] = Buffer.from(JSON.stringify(principal)).toString("base64");
    headers["x-ms-client-principal-id"] = caller.id;
    headers["x-ms-client-principal-name"] = `${caller.id}@example.com`;
    headers["x-ms-client-principal-idp"] = "aad";
  }
  if (init.contentType !== undefined) headers["content-type"] = init.contentType;
  return new HttpRequest({
    method,
    url: `http://localhost:7071/api/admin/${path}`,
    headers,
    ...(init.body === undefined
      ? {}
      : {
          body: typeof init.body === "string" ? { string: init.body } : { bytes: init.body },
        }),
  });
}

describe("admin API", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ WEBSITE_AUTH_ENABLED: "True" }));
  afterAll(async () => await app.stop());
  beforeEach(() => {
    app.recorder.clear();
  });
  // Every REST call an action made carried a token the stand-in accepted (signature, audience).
  afterEach(() => {
    expect(app.recorder.rejected).toEqual([]);
  });

  const call = async (request: HttpRequest) => {
    const response = await app.call(admin, request);
    return {
      ...response,
      json: () => JSON.parse(response.text === "" ? "null" : response.text) as unknown,
    };
  };

  describe("authorization", () => {
    it("When no principal comes with the request, then it is answered 401 with an error object and nothing is called", async () => {
      const response = await call(adminRequest("POST", "close", { caller: undefined }));
      expect(response.status).toBe(401);
      expect(response.json()).toEqual({
        error: { code: "unauthenticated", message: expect.stringMatching(/sign in/) },
      });
      expect(app.recorder.calls).toEqual([]);
    });

    it("When the principal lacks the admin role, then it is answered 403 naming the role and nothing is called", async () => {
      const caller = { id: "viewer", roles: ["Reader"] };
      const response = await call(adminRequest("POST", "close", { caller }));
      expect(response.status).toBe(403);
      expect(response.json()).toEqual({
        error: { code: "forbidden", message: expect.stringContaining("Switchboard.Admin") },
      });
      expect(app.recorder.calls).toEqual([]);
    });

    /** Each route's path with its names filled in. */
    const routes = ADMIN_ROUTES.map(({ method, path }) => ({
      method,
      path: path.replace(/\{(\w+)\}/g, (_, name: string) => `${name}-1`),
    }));

    it.each(routes)(
      "When $method admin/$path comes without a principal or without the role, then it is answered 401 or 403 and nothing is called",
      async ({ method, path }) => {
        expect((await call(adminRequest(method, path, { caller: undefined }))).status).toBe(401);
        const viewer = { id: "viewer", roles: ["Reader"] };
        expect((await call(adminRequest(method, path, { caller: viewer }))).status).toBe(403);
        expect(app.recorder.calls).toEqual([]);
      },
    );

    it("When the role comes as a 'roles' claim, then the caller is admitted", async () => {
      const caller = { id: "app-1", roles: ["Switchboard.Admin"], claimType: "roles" };
      expect((await call(adminRequest("POST", "close", { caller }))).status).toBe(204);
    });

    it("When the role is given under another claim type than role_typ or roles, then the caller is refused", async () => {
      const caller = { id: "sneaky", roles: ["Switchboard.Admin"], claimType: "groups" };
      expect((await call(adminRequest("POST", "close", { caller }))).status).toBe(403);
    });

    it("When App Service Authentication is off, then even a principal with the role is answered 401", async () => {
      const open = new TestApp();
      await open.start();
      try {
        const response = await open.call(admin, adminRequest("POST", "close"));
        expect(response.status).toBe(401);
        expect(open.recorder.calls).toEqual([]);
      } finally {
        await open.stop();
      }
    });

    it("When SWITCHBOARD_ADMIN_ROLE names another role, then that role is required", async () => {
      const custom = new TestApp();
      await custom.start({ WEBSITE_AUTH_ENABLED: "True", SWITCHBOARD_ADMIN_ROLE: "Chat.Operator" });
      try {
        expect((await custom.call(admin, adminRequest("POST", "close"))).status).toBe(403);
        const operator = { id: "op", roles: ["Chat.Operator"] };
        expect(
          (await custom.call(admin, adminRequest("POST", "close", { caller: operator }))).status,
        ).toBe(204);
      } finally {
        await custom.stop();
      }
    });

    it("When an action runs, then it is logged with the caller, the action and its target, never the message", async () => {
      const secret = `body-${uniqueId()}`;
      await call(
        adminRequest("POST", "groups/lobby/send", {
          body: JSON.stringify({ secret }),
          contentType: "application/json",
        }),
      );
      const line = app.logs.findLast((entry) => entry.text.includes("admin action"));
      expect(line?.level).toBe("information");
      expect(line?.text).toMatch(/ops-1/);
      expect(line?.text).toMatch(/sendToGroup/);
      expect(line?.text).toMatch(/lobby/);
      expect(app.logs.some((entry) => entry.text.includes(secret))).toBe(false);
    });
  });

  describe("routes", () => {
    it("When the path is no admin route, then it is answered 404 with an error object", async () => {
      const response = await call(adminRequest("GET", "nothing/here"));
      expect(response.status).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: "not_found" } });
    });

    it("When the method does not fit the path, then it is answered 405 with Allow", async () => {
      const response = await call(adminRequest("GET", "groups/g/users/u"));
      expect(response.status).toBe(405);
      expect(response.headers).toMatchObject({ Allow: "PUT, DELETE" });
      expect(response.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    });

    it("When a name is percent-encoded, then it is decoded exactly once", async () => {
      const response = await call(
        adminRequest("POST", `groups/${encodeURIComponent("a/b c%2F")}/send`, {
          body: "hi",
          contentType: "text/plain",
        }),
      );
      expect(response.status).toBe(202);
      expect(app.recorder.calls.map((c) => c.segments)).toEqual([["groups", "a/b c%2F", ":send"]]);
    });
  });

  describe("names and refusals", () => {
    it("When a route's name is '..' (as a host passing the raw path would give it), then it is refused before anything is called", async () => {
      const { handleAdmin } = await import("../../shared/admin/handleAdmin.js");
      const request = {
        method: "POST",
        rawPath: "/groups/%2E%2E/close",
        query: new URLSearchParams(),
        contentType: undefined,
        principal: {
          id: "ops-1",
          claims: { claims: [{ typ: "roles", val: "Switchboard.Admin" }] },
        },
        readBody: async () => await Promise.resolve(new Uint8Array(0)),
      };
      await expect(handleAdmin(request, app.runtime, silentLog)).rejects.toMatchObject({
        status: 400,
        code: "bad_request",
      });
      expect(app.recorder.calls).toEqual([]);
    });

    it("When a name is longer than 1,024 characters, then it is refused before anything is called", async () => {
      const response = await call(adminRequest("PUT", `groups/${"g".repeat(1025)}/users/u`));
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: "bad_request" } });
      expect(app.recorder.calls).toEqual([]);
    });

    it("When any REST call would name '.' or '..', then the service client refuses it without calling", async () => {
      const { service } = app.runtime;
      const refused = { name: "ServiceRefusal", code: "bad_message", status: 400 };
      await expect(service.sendToUser("..", { a: 1 })).rejects.toMatchObject(refused);
      await expect(service.sendToGroup(".", { a: 1 })).rejects.toMatchObject(refused);
      await expect(service.closeGroup("..", {})).rejects.toMatchObject(refused);
      await expect(service.addToGroup("g", "..")).rejects.toMatchObject(refused);
      expect(app.recorder.calls).toEqual([]);
    });

    it("When the service refuses a name, then the admin API answers 400 bad_request, not a server failure", async () => {
      app.recorder.refusedNames.add("refused-name");
      try {
        const response = await call(
          adminRequest("POST", "groups/refused-name/send", {
            body: "x",
            contentType: "text/plain",
          }),
        );
        expect(response.status).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: "bad_request" } });
      } finally {
        app.recorder.refusedNames.delete("refused-name");
      }
    });

    it("When re-adding a connection to a group it is in fails at the service, then the membership it had stays", async () => {
      const client = await app.client({ roles: ["webpubsub.joinLeaveGroup"] });
      const group = uniqueId("g");
      expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
      app.recorder.fault = { kind: "status", status: 503 };
      try {
        const response = await call(
          adminRequest("PUT", `groups/${group}/connections/${client.connectionId}`),
        );
        expect(response.status).toBe(503);
        expect(response.json()).toMatchObject({ error: { code: "unavailable" } });
      } finally {
        app.recorder.fault = undefined;
      }
      expect(await app.tableRows.groupMembers(group)).toEqual([client.connectionId]);
    });

    it("When an admin removes a connection from a group, then a re-delivered join from before is not applied again", async () => {
      const client = await app.client({ roles: ["webpubsub.joinLeaveGroup"] });
      const group = uniqueId("g");
      const eventId = "41";
      const join = { type: "join", group, id: "j" };
      expect((await client.say(join, { eventId })).json()).toMatchObject({ ok: true });
      const path = `groups/${group}/connections/${client.connectionId}`;
      expect((await call(adminRequest("DELETE", path))).status).toBe(204);
      expect((await client.say(join, { eventId })).json()).toMatchObject({ ok: true });
      expect(await app.tableRows.groupMembers(group)).toEqual([]);
    });
  });

  describe("send", () => {
    it("When an admin sends JSON to a group, then the group gets the client envelope from admin:<caller> with excluded and filter passed on", async () => {
      const response = await call(
        adminRequest("POST", "groups/lobby/send?excluded=c1&excluded=c2&filter=userId%20ne%20'x'", {
          body: JSON.stringify({ text: "maintenance at noon" }),
          contentType: "application/json",
        }),
      );
      expect(response.status).toBe(202);
      const { messageId } = response.json() as { messageId: string };
      const [sent] = app.recorder.calls;
      expect(sent?.segments).toEqual(["groups", "lobby", ":send"]);
      expect(sent?.query.getAll("excluded")).toEqual(["c1", "c2"]);
      expect(sent?.query.get("filter")).toBe("userId ne 'x'");
      expect(sent?.body).toEqual({
        type: "message",
        id: messageId,
        from: "admin:ops-1",
        group: "lobby",
        data: { text: "maintenance at noon" },
        at: expect.any(String),
      });
      expect(app.recorder.rejected).toEqual([]);
    });

    it("When an admin broadcasts text to everyone, then the hub gets it as the envelope's data", async () => {
      const response = await call(
        adminRequest("POST", "send?excluded=c9", { body: "hello all", contentType: "text/plain" }),
      );
      expect(response.status).toBe(202);
      const [sent] = app.recorder.calls;
      expect(sent?.segments).toEqual([":send"]);
      expect(sent?.query.getAll("excluded")).toEqual(["c9"]);
      expect(sent?.body).toMatchObject({ from: "admin:ops-1", data: "hello all" });
    });

    it("When an admin sends binary to a user, then the data is base64 in the envelope", async () => {
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const response = await call(
        adminRequest("POST", "users/alice/send", {
          body: bytes,
          contentType: "application/octet-stream",
        }),
      );
      expect(response.status).toBe(202);
      const [sent] = app.recorder.calls;
      expect(sent?.segments).toEqual(["users", "alice", ":send"]);
      expect(sent?.body).toMatchObject({
        user: "alice",
        data: Buffer.from(bytes).toString("base64"),
        encoding: "base64",
      });
    });

    it("When an admin sends to a connection the service does not have, then it is answered 404", async () => {
      const response = await call(
        adminRequest("POST", "connections/nobody/send", {
          body: "{}",
          contentType: "application/json",
        }),
      );
      expect(response.status).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: "not_found" } });
    });

    it("When a send to a connection reaches the service, then the connection gets the envelope", async () => {
      const client = await app.client();
      const response = await call(
        adminRequest("POST", `connections/${client.connectionId}/send`, {
          body: '{"n":1}',
          contentType: "application/json",
        }),
      );
      expect(response.status).toBe(202);
      expect(app.recorder.calls.at(-1)?.body).toMatchObject({
        from: "admin:ops-1",
        data: { n: 1 },
      });
    });

    it.each([
      ["not JSON", "{nope", "application/json", 400, "bad_request"],
      [
        "sent without a content type",
        new Uint8Array([120]),
        undefined,
        415,
        "unsupported_media_type",
      ],
      ["of an unknown content type", "x", "image/png", 415, "unsupported_media_type"],
      ["over the message limit", "x".repeat(1024 * 1024 + 1), "text/plain", 413, "too_large"],
    ])(
      "When the body is %s, then the send is refused with a reason and nothing is sent",
      async (_, body, contentType, status, code) => {
        const response = await call(
          adminRequest("POST", "groups/lobby/send", {
            body,
            ...(contentType === undefined ? {} : { contentType }),
          }),
        );
        expect(response.status).toBe(status);
        expect(response.json()).toMatchObject({ error: { code } });
        expect(app.recorder.calls).toEqual([]);
      },
    );

    it("When a send to a user names excluded connections, then it is refused (the service takes none there)", async () => {
      const response = await call(
        adminRequest("POST", "users/alice/send?excluded=c1", {
          body: "x",
          contentType: "text/plain",
        }),
      );
      expect(response.status).toBe(400);
      expect(app.recorder.calls).toEqual([]);
    });
  });

  describe("groups", () => {
    it("When an admin adds a connection to a group, then the service adds it and the store records the membership; removing it undoes both", async () => {
      const client = await app.client();
      const group = uniqueId("g");
      const path = `groups/${group}/connections/${client.connectionId}`;
      expect((await call(adminRequest("PUT", path))).status).toBe(200);
      expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
        ["PUT", "groups", group, "connections", client.connectionId],
      ]);
      expect(await app.tableRows.groupMembers(group)).toEqual([client.connectionId]);

      app.recorder.clear();
      expect((await call(adminRequest("DELETE", path))).status).toBe(204);
      expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
        ["DELETE", "groups", group, "connections", client.connectionId],
      ]);
      expect(await app.tableRows.groupMembers(group)).toEqual([]);
      const sent = await client.say({ type: "send", group, data: "x", id: 1 });
      expect(sent.json()).toMatchObject({ ok: false, error: { code: "forbidden" } });
    });

    it("When an admin adds a connection the service no longer has, then it is answered 404 and no row stays", async () => {
      const client = await app.client();
      app.recorder.connections.delete(client.connectionId);
      const group = uniqueId("g");
      const response = await call(
        adminRequest("PUT", `groups/${group}/connections/${client.connectionId}`),
      );
      expect(response.status).toBe(404);
      expect(await app.tableRows.groupMembers(group)).toEqual([]);
      expect(
        await app.tableRows.partition(Keys.groupsOfConnection(app.hub, client.connectionId)),
      ).toEqual([]);
    });

    it("When an admin adds a user to a group, then each of its live connections joins; removing the user takes them all out", async () => {
      const userId = uniqueId("u");
      const first = await app.client({ userId });
      const second = await app.client({ userId });
      const group = uniqueId("g");
      const added = await call(adminRequest("PUT", `groups/${group}/users/${userId}`));
      expect(added.status).toBe(200);
      expect((added.json() as { connections: string[] }).connections.sort()).toEqual(
        [first.connectionId, second.connectionId].sort(),
      );
      expect((await app.tableRows.groupMembers(group)).sort()).toEqual(
        [first.connectionId, second.connectionId].sort(),
      );

      app.recorder.clear();
      expect((await call(adminRequest("DELETE", `groups/${group}/users/${userId}`))).status).toBe(
        204,
      );
      expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
        ["DELETE", "users", userId, "groups", group],
      ]);
      expect(await app.tableRows.groupMembers(group)).toEqual([]);
    });

    it("When an admin removes a connection from every group, then its memberships are gone from the store and the service", async () => {
      const client = await app.client({ roles: ["webpubsub.joinLeaveGroup"] });
      for (const group of ["g-a", "g-b"]) {
        expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
      }
      app.recorder.clear();
      const response = await call(
        adminRequest("DELETE", `connections/${client.connectionId}/groups`),
      );
      expect(response.status).toBe(204);
      expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
        ["DELETE", "connections", client.connectionId, "groups"],
      ]);
      expect(await app.tableRows.groupMembers("g-a")).not.toContain(client.connectionId);
      expect(await app.tableRows.groupMembers("g-b")).not.toContain(client.connectionId);
    });

    it("When an admin removes a user from every group, then each connection's memberships go and the service is told once", async () => {
      const userId = uniqueId("u");
      const client = await app.client({ userId, roles: ["webpubsub.joinLeaveGroup"] });
      expect((await client.say({ type: "join", group: "g-c" })).json()).toMatchObject({ ok: true });
      app.recorder.clear();
      expect((await call(adminRequest("DELETE", `users/${userId}/groups`))).status).toBe(204);
      expect(app.recorder.calls.map((c) => [c.method, ...c.segments])).toEqual([
        ["DELETE", "users", userId, "groups"],
      ]);
      expect(await app.tableRows.groupMembers("g-c")).not.toContain(client.connectionId);
    });
  });

  describe("close", () => {
    it("When an admin closes a user's connections with a reason in the query, then the service is asked with that reason and the exclusions", async () => {
      const response = await call(
        adminRequest("POST", "users/bob/close?reason=banned&excluded=c3"),
      );
      expect(response.status).toBe(204);
      const [closed] = app.recorder.calls;
      expect([closed?.method, ...(closed?.segments ?? [])]).toEqual([
        "POST",
        "users",
        "bob",
        ":closeConnections",
      ]);
      expect(closed?.query.get("reason")).toBe("banned");
      expect(closed?.query.getAll("excluded")).toEqual(["c3"]);
    });

    it("When an admin closes a group with the reason in a JSON body, then the service gets it", async () => {
      const response = await call(
        adminRequest("POST", "groups/lobby/close", {
          body: JSON.stringify({ reason: "room closed", excluded: ["c4"] }),
          contentType: "application/json",
        }),
      );
      expect(response.status).toBe(204);
      const [closed] = app.recorder.calls;
      expect(closed?.segments).toEqual(["groups", "lobby", ":closeConnections"]);
      expect(closed?.query.get("reason")).toBe("room closed");
      expect(closed?.query.getAll("excluded")).toEqual(["c4"]);
    });

    it("When an admin closes one connection, then the service deletes it with the reason", async () => {
      const response = await call(adminRequest("POST", "connections/c-7/close?reason=bye"));
      expect(response.status).toBe(204);
      const [closed] = app.recorder.calls;
      expect([closed?.method, ...(closed?.segments ?? [])]).toEqual([
        "DELETE",
        "connections",
        "c-7",
      ]);
      expect(closed?.query.get("reason")).toBe("bye");
    });

    it("When an admin closes every connection, then the hub's close is called", async () => {
      expect((await call(adminRequest("POST", "close?reason=upgrade"))).status).toBe(204);
      expect(app.recorder.calls.map((c) => c.segments)).toEqual([[":closeConnections"]]);
    });
  });

  describe("permissions", () => {
    it("When an admin grants, checks and revokes sendToGroup for a group, then the service is asked for that connection and target", async () => {
      const client = await app.client();
      const path = `connections/${client.connectionId}/permissions/sendToGroup?group=lobby`;
      expect((await call(adminRequest("GET", path))).json()).toMatchObject({ granted: false });
      expect((await call(adminRequest("PUT", path))).status).toBe(200);
      expect((await call(adminRequest("GET", path))).json()).toMatchObject({
        connectionId: client.connectionId,
        permission: "sendToGroup",
        group: "lobby",
        granted: true,
      });
      expect((await call(adminRequest("DELETE", path))).status).toBe(204);
      expect((await call(adminRequest("GET", path))).json()).toMatchObject({ granted: false });
      const grant = app.recorder.calls.find((c) => c.method === "PUT");
      expect(grant?.segments).toEqual([
        "permissions",
        "sendToGroup",
        "connections",
        client.connectionId,
      ]);
      expect(grant?.query.get("targetName")).toBe("lobby");
    });

    it("When the permission is not one the service knows, then it is answered 400 and nothing is called", async () => {
      const response = await call(adminRequest("PUT", "connections/c1/permissions/superuser"));
      expect(response.status).toBe(400);
      expect(app.recorder.calls).toEqual([]);
    });
  });

  describe("queries", () => {
    it("When an admin asks about a user, a group and a connection, then the answers come from the service and the store", async () => {
      const userId = uniqueId("u");
      const first = await app.client({ userId, roles: ["webpubsub.joinLeaveGroup"] });
      const second = await app.client({ userId, roles: ["webpubsub.joinLeaveGroup"] });
      const group = uniqueId("g");
      for (const client of [first, second]) {
        expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
      }
      const user = (await call(adminRequest("GET", `users/${userId}`))).json() as {
        exists: boolean;
        connections: string[];
      };
      expect(user.exists).toBe(true);
      expect(user.connections.sort()).toEqual([first.connectionId, second.connectionId].sort());
      expect((await call(adminRequest("GET", `groups/${group}`))).json()).toEqual({
        group,
        exists: true,
        members: [{ user: userId, connections: 2 }],
        truncated: false,
      });
      expect((await call(adminRequest("GET", `connections/${first.connectionId}`))).json()).toEqual(
        {
          connectionId: first.connectionId,
          exists: true,
          user: userId,
          groups: [group],
        },
      );

      // A disconnect leaves the user's index row to the purge; the listing reads each state.
      await second.disconnect();
      expect(await app.tableRows.partition(Keys.connectionsOfUser(app.hub, userId))).toHaveLength(
        2,
      );
      const after = (await call(adminRequest("GET", `users/${userId}`))).json() as {
        connections: string[];
      };
      expect(after.connections).toEqual([first.connectionId]);
    });
  });
});

describe("admin API and presence", () => {
  const app = new TestApp();
  beforeAll(
    async () =>
      await app.start({ WEBSITE_AUTH_ENABLED: "True", SWITCHBOARD_PRESENCE_GROUPS: "room-*" }),
  );
  afterAll(async () => await app.stop());
  beforeEach(() => {
    app.recorder.clear();
  });

  const notices = (group: string) =>
    app.recorder
      .callsTo("groups", group, ":send")
      .map((call) => call.body as { type: string; user: string; state: string })
      .filter((body) => body.type === "presence")
      .map(({ user, state }) => [user, state]);

  it("When an admin adds a user's two connections to a presence group and removes them, then the group hears one online and one offline", async () => {
    const userId = uniqueId("u");
    await app.client({ userId });
    await app.client({ userId });
    const group = uniqueId("room");
    expect(
      (await app.call(admin, adminRequest("PUT", `groups/${group}/users/${userId}`))).status,
    ).toBe(200);
    expect(notices(group)).toEqual([[userId, "online"]]);
    expect((await app.call(admin, adminRequest("GET", `groups/${group}`))).text).toContain(
      `"connections":2`,
    );

    expect(
      (await app.call(admin, adminRequest("DELETE", `groups/${group}/users/${userId}`))).status,
    ).toBe(204);
    expect(notices(group)).toEqual([
      [userId, "online"],
      [userId, "offline"],
    ]);
    expect(await app.tableRows.groupMembers(group)).toEqual([]);
  });

  it("When an admin removes a connection from every group, then each presence group it was the user's last connection in hears offline", async () => {
    const client = await app.client({ roles: ["webpubsub.joinLeaveGroup"] });
    const [a, b] = [uniqueId("room"), uniqueId("room")];
    for (const group of [a, b]) {
      expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
    }
    app.recorder.clear();
    expect(
      (await app.call(admin, adminRequest("DELETE", `connections/${client.connectionId}/groups`)))
        .status,
    ).toBe(204);
    expect(notices(a)).toEqual([[client.userId, "offline"]]);
    expect(notices(b)).toEqual([[client.userId, "offline"]]);
  });
});
