import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./eventually.js";
import { EVENT_AUDIENCE, System } from "./system.js";

describe("end to end with access keys disabled: Entra ID tokens both ways", () => {
  const system = new System();
  beforeAll(async () => await system.start({}, { entra: true }));
  afterAll(async () => await system.stop());

  it("When two users negotiate, join and chat, then each receives the other's messages", async () => {
    const [alice, bob] = [await system.client("alice"), await system.client("bob")];
    await alice.say({ type: "join", group: "room", id: "j1" });
    await bob.say({ type: "join", group: "room", id: "j2" });
    expect(await alice.inbox.ack("j1")).toMatchObject({ ok: true });
    expect(await bob.inbox.ack("j2")).toMatchObject({ ok: true });
    await alice.say({ type: "send", group: "room", data: { text: "keyless" }, id: "s1" });
    const [atBob] = await bob.inbox.envelopes(1);
    expect(atBob).toMatchObject({ from: "alice", group: "room", data: { text: "keyless" } });
    expect(system.emulator.connectionString).not.toMatch(/AccessKey/);
  });

  it("When a client disconnects, then its row and its membership are removed", async () => {
    const ivan = await system.client("ivan");
    await ivan.say({ type: "join", group: "leaving", id: "j" });
    await ivan.inbox.ack("j");
    ivan.client.stop();
    await eventually(
      async () => (await system.tableRows.connectionRow(ivan.connectionId))?.state,
      (state) => state === "gone",
    );
    expect(await system.tableRows.groupMembers("leaving")).toEqual([]);
  });

  it("When events are posted straight to the app with another identity's token or none, then 401 and nothing is stored", async () => {
    const issuer = system.issuer;
    if (issuer === undefined) throw new Error("the system runs without Entra ID");
    const stranger = { objectId: randomUUID(), clientId: randomUUID() };
    for (const authorization of [
      `Bearer ${await issuer.issue(EVENT_AUDIENCE, { identity: stranger })}`,
      undefined,
    ]) {
      const connectionId = `forged-${randomUUID()}`;
      const response = await fetch(`${system.host.url}/api/events/connect`, {
        method: "POST",
        headers: {
          "ce-specversion": "1.0",
          "ce-type": "azure.webpubsub.sys.connect",
          "ce-source": `/hubs/samplechat/client/${connectionId}`,
          "ce-id": "1",
          "ce-hub": "samplechat",
          "ce-connectionId": connectionId,
          "ce-eventName": "connect",
          "ce-userId": "mallory",
          "webhook-request-origin": new URL(system.emulator.url).host,
          "content-type": "application/json",
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: "{}",
      });
      expect(response.status).toBe(401);
      expect(await system.tableRows.connectionRow(connectionId)).toBeUndefined();
    }
  });
});
