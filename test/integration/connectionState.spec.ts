import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("connect, connected and disconnected", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start({ SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "5" }));
  afterAll(async () => await app.stop());

  const send = async (
    event: "connect" | "connected" | "disconnected",
    connectionId: string,
    userId: string,
    claims: { groups?: string[]; roles?: string[] } = {},
  ) => {
    const body =
      event === "connect"
        ? JSON.stringify({
            claims: {
              sub: [userId],
              ...(claims.roles ? { role: claims.roles } : {}),
              ...(claims.groups ? { "webpubsub.group": claims.groups } : {}),
            },
            subprotocols: ["json.webpubsub.azure.v1"],
          })
        : undefined;
    const request = app.event({
      event,
      connectionId,
      userId,
      body,
      ...(event === "connect" ? {} : { subprotocol: "json.webpubsub.azure.v1" }),
    });
    return await app.call(events, request);
  };

  it("When connect is accepted, then the connection, its roles, its initial groups and its slot are written before the answer", async () => {
    const connectionId = uniqueId();
    const response = await send("connect", connectionId, "alice", {
      groups: ["lobby"],
      roles: ["webpubsub.sendToGroup.lobby"],
    });
    expect(response.status).toBe(200);
    const row = await app.tableRows.connectionRow(connectionId);
    expect(row).toMatchObject({
      state: "live",
      hub: "chat",
      connectionId,
      userId: "alice",
      subprotocol: "json.webpubsub.azure.v1",
      groups: '["lobby"]',
      roles: '["webpubsub.sendToGroup.lobby"]',
    });
    expect(row?.connectedAt).toBeInstanceOf(Date);
    expect(await app.tableRows.userSlots("alice")).toContain(connectionId);
    expect(await app.tableRows.groupMembers("lobby")).toContain(connectionId);
  });

  it("When connected arrives, then it writes nothing", async () => {
    const connectionId = uniqueId();
    await send("connect", connectionId, "carl", { groups: ["c"] });
    const before = await app.tableRows.rows();
    expect((await send("connected", connectionId, "carl")).status).toBe(204);
    expect(await app.tableRows.rows()).toEqual(before);
  });

  it("When disconnected arrives, then the connection, its slot and all its memberships are removed", async () => {
    const connectionId = uniqueId();
    await send("connect", connectionId, "bob", { groups: ["g1", "g2"] });
    await send("connected", connectionId, "bob");
    expect((await send("disconnected", connectionId, "bob")).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    expect(await app.tableRows.userSlots("bob")).not.toContain(connectionId);
    expect(await app.tableRows.groupMembers("g1")).not.toContain(connectionId);
    expect(await app.tableRows.groupMembers("g2")).not.toContain(connectionId);
  });

  it("When connect is delivered twice, then the effect is that of once", async () => {
    const connectionId = uniqueId();
    const userId = uniqueId("u");
    await send("connect", connectionId, userId, { groups: ["twice"] });
    const before = await app.tableRows.rows();
    expect((await send("connect", connectionId, userId, { groups: ["twice"] })).status).toBe(200);
    expect((await app.tableRows.rows()).length).toBe(before.length);
    expect(await app.tableRows.userSlots(userId)).toEqual([connectionId]);
  });

  it("When a connect names a connection id recorded for another user, then 403 and the record stands", async () => {
    const connectionId = uniqueId();
    await send("connect", connectionId, "owner");
    expect((await send("connect", connectionId, "intruder")).status).toBe(403);
    expect((await app.tableRows.connectionRow(connectionId))?.userId).toBe("owner");
    expect(await app.tableRows.userSlots("intruder")).toEqual([]);
  });

  it("When disconnected is delivered twice, then the second is a no-op 204", async () => {
    const connectionId = uniqueId();
    await send("connect", connectionId, "dave", { groups: ["x"] });
    await send("disconnected", connectionId, "dave");
    const before = (await app.tableRows.rows()).length;
    expect((await send("disconnected", connectionId, "dave")).status).toBe(204);
    expect((await app.tableRows.rows()).length).toBe(before);
  });

  it("When disconnected is processed before connected, then no live connection is left behind", async () => {
    const connectionId = uniqueId();
    const userId = uniqueId("u");
    await send("connect", connectionId, userId, { groups: ["late"] });
    expect((await send("disconnected", connectionId, userId)).status).toBe(204);
    expect((await send("connected", connectionId, userId)).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    expect(await app.tableRows.userSlots(userId)).toEqual([]);
    expect(await app.tableRows.groupMembers("late")).not.toContain(connectionId);
  });

  it("When connected and disconnected race, then the store ends with no live connection", async () => {
    for (let i = 0; i < 10; i++) {
      const connectionId = uniqueId();
      const userId = uniqueId("u");
      await send("connect", connectionId, userId, { groups: ["race"] });
      await Promise.all([
        send("connected", connectionId, userId),
        send("disconnected", connectionId, userId),
      ]);
      expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
      expect(await app.tableRows.userSlots(userId)).toEqual([]);
      expect(await app.tableRows.groupMembers("race")).not.toContain(connectionId);
    }
  });

  it("When ids and group names are hostile, then they are stored and removed intact", async () => {
    // Header values must be HTTP-safe; group names come from the token's claims and may hold anything.
    const headerSafe = ["a/b\\c#d?e", "'; DROP TABLE --", "x".repeat(1500), "%2F..%5C"];
    const anything = [
      ...headerSafe,
      "tab\there\u0001ctl\u007f",
      "emoji 😀🚀 ünïcødé",
      "   spaced   ",
      "g".repeat(1024),
    ];
    for (const [i, value] of headerSafe.entries()) {
      const connectionId = `conn/${value}`;
      const groups = anything.map((group) => `${group}${i}`);
      expect((await send("connect", connectionId, value, { groups })).status).toBe(200);
      const row = await app.tableRows.connectionRow(connectionId);
      expect(row?.userId).toBe(value);
      expect(JSON.parse(row?.groups as string)).toEqual(groups);
      expect(await app.tableRows.userSlots(value)).toEqual([connectionId]);
      for (const group of groups)
        expect(await app.tableRows.groupMembers(group)).toEqual([connectionId]);
      expect((await send("disconnected", connectionId, value)).status).toBe(204);
      expect(await app.tableRows.userSlots(value)).toEqual([]);
      for (const group of groups) expect(await app.tableRows.groupMembers(group)).toEqual([]);
    }
  });

  it("When Table Storage fails, then connect answers 500 and the error is logged, while connected, which needs no storage, answers 204", async () => {
    app.configure({
      SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "5",
      AzureWebJobsStorage:
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
    });
    const response = await send("connect", uniqueId(), "erin");
    expect(response.status).toBe(500);
    expect(response.text).toBe("internal error");
    expect((await send("connected", uniqueId(), "erin")).status).toBe(204);
    expect(
      app.logs.some((line) => line.level === "error" && line.text.includes("invocationId")),
    ).toBe(true);
    app.configure({ SWITCHBOARD_MAX_CONNECTIONS_PER_USER: "5" });
  });
});
