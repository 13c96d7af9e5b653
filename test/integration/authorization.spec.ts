import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Keys } from "../../shared/state/keys.js";
import { TestApp, type TestClient } from "../fixtures/testApp.js";

/**
 * Every protocol action against the one policy, through the events function, with the REST
 * calls and the rows checked on both sides of each decision.
 */
describe("authorization", () => {
  /** Settings patterns: lobby and rooms to join, a private inbox per user, an announcement channel. */
  const patterns = new TestApp();
  /** The defaults (nothing joinable without a role), a configured role, direct messages off. */
  const defaults = new TestApp();
  beforeAll(async () => {
    await patterns.start({
      SWITCHBOARD_JOIN_GROUPS: "lobby, room-*, inbox-{userId}, news",
      SWITCHBOARD_SEND_GROUPS: "lobby,room-*,inbox-{userId}",
    });
    await defaults.start({
      SWITCHBOARD_CONNECT_ROLES: "webpubsub.joinLeaveGroup.staff",
      SWITCHBOARD_DIRECT_MESSAGES: "false",
    });
  });
  afterAll(async () => {
    await patterns.stop();
    await defaults.stop();
  });
  beforeEach(() => {
    patterns.recorder.clear();
    defaults.recorder.clear();
  });

  const apps = { patterns, defaults } as const;

  /** Asserts that `client` joined `group` in the service and in the store, or in neither. */
  const expectMembership = async (
    app: TestApp,
    client: TestClient,
    group: string,
    member: boolean,
  ) => {
    const puts = app.recorder
      .callsTo("groups", group, "connections", client.connectionId)
      .filter((call) => call.method === "PUT");
    expect(puts).toHaveLength(member ? 1 : 0);
    const rows = await app.tableRows.groupMembers(group);
    if (member) expect(rows).toContain(client.connectionId);
    else expect(rows).not.toContain(client.connectionId);
  };

  it.each([
    ["no role and no pattern", "defaults", [], "alice", "lobby", false],
    ["an exact role", "defaults", ["webpubsub.joinLeaveGroup.admins"], "alice", "admins", true],
    [
      "an exact role for another group",
      "defaults",
      ["webpubsub.joinLeaveGroup.admins"],
      "alice",
      "admins-2",
      false,
    ],
    ["the any-group role", "defaults", ["webpubsub.joinLeaveGroup"], "alice", "anything", true],
    [
      "a wildcard role",
      "defaults",
      ["webpubsub.joinLeaveGroups.team-*"],
      "alice",
      "team-red",
      true,
    ],
    [
      "a wildcard role whose * stops at a dot",
      "defaults",
      ["webpubsub.joinLeaveGroups.team-*"],
      "alice",
      "team-red.private",
      false,
    ],
    ["a role from SWITCHBOARD_CONNECT_ROLES", "defaults", [], "alice", "staff", true],
    ["a sendToGroup role only", "defaults", ["webpubsub.sendToGroup"], "alice", "lobby", false],
    ["a pattern", "patterns", [], "alice", "room-42", true],
    ["no matching pattern", "patterns", [], "alice", "admins", false],
    ["a pattern matched only in part", "patterns", [], "alice", "my-room-42", false],
    ["a pattern in another case", "patterns", [], "alice", "Lobby", false],
    ["the {userId} pattern for oneself", "patterns", [], "alice", "inbox-alice", true],
    ["the {userId} pattern for another user", "patterns", [], "alice", "inbox-bob", false],
    ["a user id holding * against {userId}", "patterns", [], "a*", "inbox-abc", false],
  ] as const)(
    "When a client with %s joins, then the policy decides and both sides agree",
    async (_, appName, roles, userId, group, allowed) => {
      const app = apps[appName];
      const client = await app.client({ userId: userId, roles: [...roles] });
      app.recorder.clear();
      const ack = (await client.say({ type: "join", group, id: "j" })).json();
      if (allowed) {
        expect(ack).toEqual({ type: "ack", id: "j", ok: true });
      } else {
        expect(ack).toEqual({
          type: "ack",
          id: "j",
          ok: false,
          error: { code: "forbidden", message: expect.stringMatching(/SWITCHBOARD_JOIN_GROUPS/) },
        });
        expect(app.recorder.calls).toEqual([]);
        expect(
          await app.tableRows.partition(Keys.groupsOfConnection(app.hub, client.connectionId)),
        ).toEqual([]);
      }
      await expectMembership(app, client, group, allowed);
    },
  );

  it("When a refusal happens, then it is logged at information level with the connection and the group, never the body", async () => {
    const client = await patterns.client({ userId: "mallory" });
    await client.say({ type: "join", group: "news" });
    patterns.logs.length = 0;
    await client.say({ type: "send", group: "news", data: { text: "the-secret-body" } });
    const line = patterns.logs.find((entry) => entry.text.includes("refused by policy"));
    expect(line?.level).toBe("information");
    expect(line?.text).toContain(client.connectionId);
    expect(line?.text).toContain("news");
    expect(line?.text).toContain("no role or pattern allows sending");
    expect(patterns.logs.map((entry) => entry.text).join("\n")).not.toContain("the-secret-body");
  });

  it("When a client was put in a group at connect but may not leave it, then leave is refused and it stays a member", async () => {
    const client = await defaults.client({ groups: ["locked"] });
    defaults.recorder.clear();
    const ack = (await client.say({ type: "leave", group: "locked" })).json();
    expect(ack).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(defaults.recorder.calls).toEqual([]);
    expect(await defaults.tableRows.groupMembers("locked")).toContain(client.connectionId);
  });

  it("When a client may leave, then the group row goes before the service call", async () => {
    const client = await patterns.client();
    await client.say({ type: "join", group: "room-leave" });
    patterns.recorder.clear();
    expect((await client.say({ type: "leave", group: "room-leave" })).json()).toMatchObject({
      ok: true,
    });
    expect(patterns.recorder.calls.map((call) => call.method)).toEqual(["DELETE"]);
    expect(await patterns.tableRows.groupMembers("room-leave")).toEqual([]);
  });

  it.each([
    ["a member, SWITCHBOARD_SEND_GROUPS matching", "patterns", [], "room-send", true, true],
    ["a member of an announcement group", "patterns", [], "news", true, false],
    [
      "a member of an announcement group with its sendToGroup role",
      "patterns",
      ["webpubsub.sendToGroup.news"],
      "news",
      true,
      true,
    ],
    [
      "a member with a wildcard sendToGroups role",
      "patterns",
      ["webpubsub.sendToGroups.n*s"],
      "news",
      true,
      true,
    ],
    [
      "a non-member with the any-group sendToGroup role",
      "patterns",
      ["webpubsub.sendToGroup"],
      "room-other",
      false,
      false,
    ],
    ["a member under the default SWITCHBOARD_SEND_GROUPS (*)", "defaults", [], "staff", true, true],
    ["the {userId} pattern for one's own inbox", "patterns", [], "inbox-sam", true, true],
  ] as const)(
    "When %s sends to the group, then the policy decides and only an allowed send reaches the service",
    async (_, appName, roles, group, join, allowed) => {
      const app = apps[appName];
      const client = await app.client({ userId: "sam", roles: [...roles] });
      if (join)
        expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
      app.recorder.clear();
      const ack = (await client.say({ type: "send", group, data: "hi", id: "s" })).json();
      expect(ack).toMatchObject({ id: "s", ok: allowed });
      if (!allowed) {
        expect(ack).toMatchObject({ error: { code: "forbidden" } });
        expect((ack.error as { message: string }).message).toMatch(
          join ? /SWITCHBOARD_SEND_GROUPS/ : /join '.*' before sending/,
        );
      }
      expect(app.recorder.callsTo("groups", group, ":send")).toHaveLength(allowed ? 1 : 0);
      if (allowed) {
        expect(app.recorder.calls[0]?.body).toMatchObject({ from: "sam", group, data: "hi" });
      }
    },
  );

  it("When a member asks for the members of its group, then it gets them; a non-member is refused", async () => {
    const [ann, olga] = [
      await patterns.client({ userId: "ann" }),
      await patterns.client({ userId: "olga" }),
    ];
    await ann.say({ type: "join", group: "room-members" });
    expect((await ann.say({ type: "members", group: "room-members" })).json()).toMatchObject({
      ok: true,
      members: ["ann"],
      truncated: false,
    });
    expect((await olga.say({ type: "members", group: "room-members" })).json()).toMatchObject({
      ok: false,
      error: { code: "forbidden", message: expect.stringMatching(/only members/) },
    });
  });

  it("When a group has more than 1,000 users, then members lists 1,000 and says truncated", async () => {
    const app = patterns;
    const asker = await app.client({ userId: "asker" });
    await asker.say({ type: "join", group: "room-crowd" });
    const rows = Array.from({ length: 1001 }, (_, i) => ({
      ...Keys.groupMember(app.hub, "room-crowd", `crowd-${i}`),
      hub: app.hub,
      group: "room-crowd",
      connectionId: `crowd-${i}`,
      userId: `crowd-user-${i}`,
      roles: "[]",
      joinedAt: new Date(),
    }));
    const table = app.tableRows.client;
    for (let i = 0; i < rows.length; i += 100) {
      await table.submitTransaction(rows.slice(i, i + 100).map((row) => ["upsert", row]));
    }
    const ack = (await asker.say({ type: "members", group: "room-crowd" })).json();
    expect(ack).toMatchObject({ ok: true, truncated: true });
    expect(ack.members).toHaveLength(1000);
  });

  it.each([
    ["allowed by default", "patterns", true],
    ["turned off with SWITCHBOARD_DIRECT_MESSAGES=false", "defaults", false],
  ] as const)(
    "When direct messages are %s, then a send to a user follows the setting",
    async (_, appName, allowed) => {
      const app = apps[appName];
      const client = await app.client({ userId: "dora" });
      app.recorder.clear();
      const ack = (await client.say({ type: "send", user: "ed", data: 1, id: "d" })).json();
      expect(ack).toMatchObject({ id: "d", ok: allowed });
      if (!allowed) {
        expect(ack).toMatchObject({
          error: {
            code: "forbidden",
            message: expect.stringMatching(/SWITCHBOARD_DIRECT_MESSAGES/),
          },
        });
      }
      expect(app.recorder.callsTo("users", "ed", ":send")).toHaveLength(allowed ? 1 : 0);
    },
  );

  it("When a connection is at SWITCHBOARD_MAX_GROUPS_PER_CONNECTION, then a further join is refused with the reason and a re-join still holds", async () => {
    const app = new TestApp();
    await app.start({ SWITCHBOARD_JOIN_GROUPS: "*", SWITCHBOARD_MAX_GROUPS_PER_CONNECTION: "3" });
    try {
      const client = await app.client();
      for (const group of ["a", "b", "c"]) {
        expect((await client.say({ type: "join", group })).json()).toMatchObject({ ok: true });
      }
      app.recorder.clear();
      const ack = (await client.say({ type: "join", group: "d" })).json();
      expect(ack).toMatchObject({
        ok: false,
        error: {
          code: "forbidden",
          message: expect.stringMatching(
            /at most 3 groups \(SWITCHBOARD_MAX_GROUPS_PER_CONNECTION\)/,
          ),
        },
      });
      expect(app.recorder.calls).toEqual([]);
      expect(await app.tableRows.groupMembers("d")).toEqual([]);
      expect((await client.say({ type: "join", group: "a" })).json()).toMatchObject({ ok: true });
      await client.say({ type: "leave", group: "a" });
      expect((await client.say({ type: "join", group: "d" })).json()).toMatchObject({ ok: true });
      const index = await app.tableRows.partition(
        Keys.groupsOfConnection(app.hub, client.connectionId),
      );
      expect(index.length).toBeLessThanOrEqual(6);
    } finally {
      await app.stop();
    }
  });
});
