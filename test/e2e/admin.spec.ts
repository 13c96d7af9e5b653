import { WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./eventually.js";
import { System } from "./system.js";

describe("end to end: the admin API with Microsoft's client, the emulator and Azurite", () => {
  const system = new System();
  beforeAll(async () => await system.start({ SWITCHBOARD_PRESENCE_GROUPS: "lobby" }));
  afterAll(async () => await system.stop());

  /** The presence notices a client received from `lobby`, as [user, state]. */
  const presence = (inbox: { group: { group: string; data: unknown }[] }) =>
    inbox.group
      .filter((m) => m.group === "lobby")
      .map((m) => m.data as { type?: string; user?: string; state?: string })
      .filter((data) => data.type === "presence")
      .map((data) => [data.user, data.state]);

  it("When an admin closes a user with a reason, then the client sees the reason and the group sees the user go offline", async () => {
    const watcher = await system.client("watcher");
    // The plain JSON protocol: a reliable client would try to recover the closed connection,
    // and the refusal of that recovery would become its last disconnected message.
    const kicked = await system.client("kicked", undefined, {
      autoReconnect: false,
      protocol: WebPubSubJsonProtocol(),
    });
    for (const [client, id] of [
      [watcher, "w"],
      [kicked, "k"],
    ] as const) {
      await client.say({ type: "join", group: "lobby", id });
      expect(await client.inbox.ack(id)).toMatchObject({ ok: true });
    }
    await eventually(
      () => presence(watcher.inbox),
      (seen) => seen.some(([user, state]) => user === "kicked" && state === "online"),
    );
    const reason = new Promise<string | undefined>((resolve) =>
      kicked.client.on("disconnected", (event) => resolve(event.message?.message)),
    );

    const response = await system.admin(
      "POST",
      `users/kicked/close?reason=${encodeURIComponent("Removed by a moderator")}`,
    );
    expect(response.status).toBe(204);
    expect(await reason).toBe("Removed by a moderator");
    await eventually(
      () => presence(watcher.inbox),
      (seen) => seen.some(([user, state]) => user === "kicked" && state === "offline"),
    );
    // Its disconnected event cleaned the store: kicked is no member of lobby any more.
    const members = await (await system.admin("GET", "groups/lobby")).json();
    expect(members).toMatchObject({ members: [{ user: "watcher", connections: 1 }] });
  });

  it("When an admin adds a connection to a group, sends to it, checks a permission and looks it up, then the emulator does each and the client sees the effects", async () => {
    const ivy = await system.client("ivy");
    const group = "ops-room";
    const path = `groups/${group}/connections/${encodeURIComponent(ivy.connectionId)}`;
    expect((await system.admin("PUT", path)).status).toBe(200);

    const sent = await system.admin("POST", `groups/${group}/send`, {
      type: "application/json",
      content: JSON.stringify({ notice: "drill at noon" }),
    });
    expect(sent.status).toBe(202);
    const [envelope] = await ivy.inbox.envelopes(1);
    expect(envelope).toMatchObject({
      from: "admin:e2e-operator",
      group,
      data: { notice: "drill at noon" },
    });

    const permission = `connections/${encodeURIComponent(ivy.connectionId)}/permissions/sendToGroup?group=${group}`;
    const granted = async () =>
      ((await (await system.admin("GET", permission)).json()) as { granted: boolean }).granted;
    expect(await granted()).toBe(false);
    expect((await system.admin("PUT", permission)).status).toBe(200);
    expect(await granted()).toBe(true);
    expect((await system.admin("DELETE", permission)).status).toBe(204);
    expect(await granted()).toBe(false);

    expect(await (await system.admin("GET", "users/ivy")).json()).toEqual({
      user: "ivy",
      exists: true,
      connections: [ivy.connectionId],
    });
    expect(
      await (
        await system.admin("GET", `connections/${encodeURIComponent(ivy.connectionId)}`)
      ).json(),
    ).toEqual({ connectionId: ivy.connectionId, exists: true, user: "ivy", groups: [group] });

    expect((await system.admin("DELETE", path)).status).toBe(204);
    expect(await (await system.admin("GET", `groups/${group}`)).json()).toMatchObject({
      exists: false,
      members: [],
    });
  });
});
