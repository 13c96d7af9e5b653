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
});
