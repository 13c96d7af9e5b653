import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataMessages, Harness, type JsonClient } from "./support/harness.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator REST: groups", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  afterAll(async () => await harness.stop());

  /** Which of the clients receive a message sent to the group now. */
  async function receivers(group: string, clients: JsonClient[]): Promise<boolean[]> {
    const probe = `probe-${Math.random()}`;
    await harness.service.group(group).sendToAll(probe, { contentType: "text/plain" });
    const marker = `marker-${Math.random()}`;
    await harness.service.sendToAll(marker, { contentType: "text/plain" });
    for (const client of clients) {
      await waitFor(() => dataMessages(client).some((m) => m.data === marker), "the marker");
    }
    return clients.map((client) => dataMessages(client).some((m) => m.data === probe));
  }

  it("When a connection is added to and removed from a group, then group sends reach it only meanwhile", async () => {
    const client = await harness.connect({ userId: "add-conn" });
    const group = harness.service.group("g-conn");
    await group.addConnection(client.connectionId);
    expect(await receivers("g-conn", [client])).toEqual([true]);
    expect(await harness.service.groupExists("g-conn")).toBe(true);
    await group.removeConnection(client.connectionId);
    expect(await receivers("g-conn", [client])).toEqual([false]);
    expect(await harness.service.groupExists("g-conn")).toBe(false);
  });

  it("When an unknown connection is added to a group, then the SDK gets 404", async () => {
    await expect(
      harness.service.group("g").addConnection("no-such-connection"),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("When a user is added to and removed from a group, then all of the user's connections follow", async () => {
    const first = await harness.connect({ userId: "add-user" });
    const second = await harness.connect({ userId: "add-user" });
    const other = await harness.connect({ userId: "someone-else" });
    await harness.service.group("g-user").addUser("add-user");
    expect(await receivers("g-user", [first, second, other])).toEqual([true, true, false]);
    await harness.service.group("g-user").removeUser("add-user");
    expect(await receivers("g-user", [first, second, other])).toEqual([false, false, false]);
  });

  it("When a user or a connection is removed from all groups, then no group send reaches it", async () => {
    const user = await harness.connect({ userId: "all-user", groups: ["x1", "x2"] });
    const conn = await harness.connect({ userId: "all-conn", groups: ["x1", "x2"] });
    await harness.service.removeUserFromAllGroups("all-user");
    await harness.service.removeConnectionFromAllGroups(conn.connectionId);
    expect(await receivers("x1", [user, conn])).toEqual([false, false]);
    expect(await receivers("x2", [user, conn])).toEqual([false, false]);
  });

  it("When connections are added to and removed from groups by filter, then only matching ones move", async () => {
    const a = await harness.connect({ userId: "bulk-a" });
    const b = await harness.connect({ userId: "bulk-b" });
    await harness.service.addConnectionsToGroups(["bulk1", "bulk2"], "userId eq 'bulk-a'");
    expect(await receivers("bulk1", [a, b])).toEqual([true, false]);
    expect(await receivers("bulk2", [a, b])).toEqual([true, false]);
    await harness.service.removeConnectionsFromGroups(
      ["bulk1"],
      `connectionId eq '${a.connectionId}'`,
    );
    expect(await receivers("bulk1", [a, b])).toEqual([false, false]);
    expect(await receivers("bulk2", [a, b])).toEqual([true, false]);
  });

  it("When a group's connections are listed page by page, then every member appears once with its user", async () => {
    const members = await Promise.all(
      ["l1", "l2", "l3", "l4", "l5"].map((userId) =>
        harness.connect({ userId, groups: ["listed"] }),
      ),
    );
    const group = harness.service.group("listed");
    const listed: { connectionId: string; userId?: string }[] = [];
    for await (const member of await group.listConnections({ maxPageSize: 2 })) {
      listed.push(member);
    }
    expect(listed.map((m) => m.connectionId).sort()).toEqual(
      members.map((m) => m.connectionId).sort(),
    );
    expect(listed.map((m) => m.userId).sort()).toEqual(["l1", "l2", "l3", "l4", "l5"]);
    const pages: number[] = [];
    for await (const page of (await group.listConnections({ maxPageSize: 2 })).byPage()) {
      pages.push(page.length);
    }
    expect(pages).toEqual([2, 2, 1]);
  });

  it("When group and user names hold spaces, slashes, quotes and non-ASCII, then they round-trip exactly", async () => {
    const userId = "u/ser 'ü'#?";
    const groupName = "g/1 'ü'#?&";
    const client = await harness.connect({ userId });
    expect(client.userId).toBe(userId);
    await harness.service.group(groupName).addUser(userId);
    expect(await harness.service.groupExists(groupName)).toBe(true);
    expect(await harness.service.userExists(userId)).toBe(true);
    await harness.service
      .group(groupName)
      .sendToAll({ odd: true }, { filter: `userId eq 'u/ser ''ü''#?'` });
    const message = await client.socket.nextMessage((m) => m.type === "message");
    expect(message).toMatchObject({ from: "group", group: groupName, data: { odd: true } });
  });

  it("When a group name is only whitespace, then the SDK gets 400", async () => {
    await expect(
      harness.service.group("   ").sendToAll("x", { contentType: "text/plain" }),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
