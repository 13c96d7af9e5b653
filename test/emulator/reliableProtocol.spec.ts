import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataMessages, Harness, RELIABLE_PROTOCOL, type JsonClient } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator reliable protocol (json.reliable.webpubsub.azure.v1)", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start({ recoveryWindowMs: 3_000 }));
  afterAll(async () => await harness.stop());

  const recoveryUrl = (base: string, client: JsonClient, token?: string) => {
    const connected = client.socket.messages[0];
    const url = new URL(base);
    url.searchParams.append("awps_connection_id", client.connectionId);
    url.searchParams.append(
      "awps_reconnection_token",
      token ?? String(connected?.reconnectionToken),
    );
    return url.toString();
  };

  it("When messages arrive, then each carries a rising sequenceId and acks and system messages carry none", async () => {
    const client = await harness.connect(
      { userId: "seq", roles: ["webpubsub.joinLeaveGroup"] },
      RELIABLE_PROTOCOL,
    );
    client.socket.send({ type: "joinGroup", group: "s", ackId: 1 });
    await client.socket.ack(1);
    await harness.service.sendToUser("seq", "a", { contentType: "text/plain" });
    await harness.service.group("s").sendToAll("b", { contentType: "text/plain" });
    await waitFor(() => dataMessages(client).length === 2, "two messages");
    expect(dataMessages(client).map((m) => [m.data, m.sequenceId])).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(
      client.socket.messages.filter((m) => m.type !== "message").every((m) => !("sequenceId" in m)),
    ).toBe(true);
  });

  it("When a dropped client recovers in time, then it keeps its id and groups and gets exactly the unacked messages", async () => {
    const url = await harness.clientUrl({ userId: "rec", groups: ["kept"] });
    const first = await harness.connectUrl(url, RELIABLE_PROTOCOL);
    for (const data of ["m1", "m2", "m3"])
      await harness.service.sendToUser("rec", data, { contentType: "text/plain" });
    await waitFor(() => dataMessages(first).length === 3, "three messages");
    first.socket.send({ type: "sequenceAck", sequenceId: 2 });
    first.socket.send({ type: "ping" });
    await first.socket.nextMessage((m) => m.type === "pong");
    first.socket.socket.terminate();
    await harness.service.group("kept").sendToAll("while away", { contentType: "text/plain" });

    const second = await TestSocket.open(recoveryUrl(url, first), RELIABLE_PROTOCOL);
    const connected = await second.nextMessage((m) => m.event === "connected");
    expect(connected.connectionId).toBe(first.connectionId);
    await waitFor(
      () => second.messages.filter((m) => m.type === "message").length === 2,
      "the replay",
    );
    expect(
      second.messages.filter((m) => m.type === "message").map((m) => [m.data, m.sequenceId]),
    ).toEqual([
      ["m3", 3],
      ["while away", 4],
    ]);
    await harness.service.group("kept").sendToAll("after", { contentType: "text/plain" });
    await second.nextMessage((m) => m.data === "after" && m.sequenceId === 5);
    second.socket.terminate();
  });

  it("When the reconnection token is wrong or the connection unknown, then the socket opens and closes with 1008", async () => {
    const url = await harness.clientUrl({ userId: "bad-rec" });
    const client = await harness.connectUrl(url, RELIABLE_PROTOCOL);
    client.socket.socket.terminate();
    const wrongToken = await TestSocket.open(recoveryUrl(url, client, "forged"), RELIABLE_PROTOCOL);
    expect((await wrongToken.closed()).code).toBe(1008);
    const unknown = await TestSocket.open(
      recoveryUrl(url, { ...client, connectionId: "nope" }),
      RELIABLE_PROTOCOL,
    );
    expect((await unknown.closed()).code).toBe(1008);
  });

  it("When the recovery window passes, then the connection is gone and recovery fails with 1008", async () => {
    const url = await harness.clientUrl({ userId: "late" });
    const client = await harness.connectUrl(url, RELIABLE_PROTOCOL);
    client.socket.socket.terminate();
    await waitFor(
      async () => !(await harness.service.connectionExists(client.connectionId)),
      "expiry",
    );
    const late = await TestSocket.open(recoveryUrl(url, client), RELIABLE_PROTOCOL);
    expect((await late.closed()).code).toBe(1008);
  });

  it("When a reliable client closes on purpose, then it is gone at once", async () => {
    const client = await harness.connect({ userId: "bye" }, RELIABLE_PROTOCOL);
    client.socket.socket.close(1000);
    await waitFor(
      async () => !(await harness.service.connectionExists(client.connectionId)),
      "removal",
      1_000,
    );
  });
});
