import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeConnectionState } from "../../shared/protocol/decodeConnectionState.js";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("connected and disconnected", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());

  const send = async (
    event: "connected" | "disconnected",
    connectionId: string,
    userId: string,
    groups: string[] = [],
  ) => {
    const connectionState =
      groups.length > 0 ? encodeConnectionState({ groups, roles: [] }) : undefined;
    const request = app.event({
      event,
      connectionId,
      userId,
      connectionState,
      subprotocol: "json.webpubsub.azure.v1",
    });
    return await app.call(events, request);
  };

  it("When connected arrives, then the connection, its user index and its groups are written before 204", async () => {
    const connectionId = uniqueId();
    const response = await send("connected", connectionId, "alice", ["lobby"]);
    expect(response.status).toBe(204);
    const row = await app.tableRows.connectionRow(connectionId);
    expect(row).toMatchObject({
      state: "live",
      hub: "chat",
      connectionId,
      userId: "alice",
      subprotocol: "json.webpubsub.azure.v1",
      groups: '["lobby"]',
    });
    expect(row?.connectedAt).toBeInstanceOf(Date);
    expect(await app.tableRows.userConnections("alice")).toContain(connectionId);
    expect(await app.tableRows.groupMembers("lobby")).toContain(connectionId);
  });

  it("When disconnected arrives, then the connection and all its memberships are removed", async () => {
    const connectionId = uniqueId();
    await send("connected", connectionId, "bob", ["g1", "g2"]);
    expect((await send("disconnected", connectionId, "bob")).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    expect(await app.tableRows.userConnections("bob")).not.toContain(connectionId);
    expect(await app.tableRows.groupMembers("g1")).not.toContain(connectionId);
    expect(await app.tableRows.groupMembers("g2")).not.toContain(connectionId);
  });

  it("When connected is delivered twice, then the effect is that of once", async () => {
    const connectionId = uniqueId();
    const userId = uniqueId("u");
    await send("connected", connectionId, userId, ["twice"]);
    const before = await app.tableRows.rows();
    expect((await send("connected", connectionId, userId, ["twice"])).status).toBe(204);
    const after = await app.tableRows.rows();
    expect(after.length).toBe(before.length);
    expect(await app.tableRows.userConnections(userId)).toEqual([connectionId]);
  });

  it("When disconnected is delivered twice, then the second is a no-op 204", async () => {
    const connectionId = uniqueId();
    await send("connected", connectionId, "dave", ["x"]);
    await send("disconnected", connectionId, "dave");
    const before = (await app.tableRows.rows()).length;
    expect((await send("disconnected", connectionId, "dave")).status).toBe(204);
    expect((await app.tableRows.rows()).length).toBe(before);
  });

  it("When disconnected is processed before connected, then no live connection is left behind", async () => {
    const connectionId = uniqueId();
    const userId = uniqueId("u");
    expect((await send("disconnected", connectionId, userId)).status).toBe(204);
    expect((await send("connected", connectionId, userId, ["late"])).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    expect(await app.tableRows.userConnections(userId)).toEqual([]);
    expect(await app.tableRows.groupMembers("late")).not.toContain(connectionId);
  });

  it("When connected and disconnected race, then the store ends with no live connection", async () => {
    for (let i = 0; i < 10; i++) {
      const connectionId = uniqueId();
      const userId = uniqueId("u");
      await Promise.all([
        send("connected", connectionId, userId, ["race"]),
        send("disconnected", connectionId, userId),
      ]);
      expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
      expect(await app.tableRows.userConnections(userId)).toEqual([]);
      expect(await app.tableRows.groupMembers("race")).not.toContain(connectionId);
    }
  });

  it("When ids and group names are hostile, then they are stored and removed intact", async () => {
    // Header values must be HTTP-safe; group names come from the connection state and may hold anything.
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
      expect((await send("connected", connectionId, value, groups)).status).toBe(204);
      const row = await app.tableRows.connectionRow(connectionId);
      expect(row?.userId).toBe(value);
      expect(JSON.parse(row?.groups as string)).toEqual(groups);
      expect(await app.tableRows.userConnections(value)).toEqual([connectionId]);
      for (const group of groups)
        expect(await app.tableRows.groupMembers(group)).toEqual([connectionId]);
      expect((await send("disconnected", connectionId, value)).status).toBe(204);
      expect(await app.tableRows.userConnections(value)).toEqual([]);
      for (const group of groups) expect(await app.tableRows.groupMembers(group)).toEqual([]);
    }
  });

  it("When Table Storage fails, then connected answers 500 so the service can retry", async () => {
    app.configure({
      AzureWebJobsStorage:
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
    });
    const response = await send("connected", uniqueId(), "erin");
    expect(response.status).toBe(500);
    expect(response.text).toBe("internal error");
    expect(
      app.logs.some((line) => line.level === "error" && line.text.includes("invocationId")),
    ).toBe(true);
    app.configure();
  });
});
