import { events } from "../../functions/events.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signConnectionId } from "../../shared/protocol/signature.js";
import { PRIMARY_KEY, SECONDARY_KEY, TestApp, uniqueId } from "../fixtures/testApp.js";

describe("event signatures", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());
  beforeEach(() => app.recorder.clear());

  const connectedEvent = (keys: string[], headers?: Record<string, string | undefined>) => {
    const connectionId = uniqueId();
    return {
      connectionId,
      request: app.event({
        event: "connect",
        connectionId,
        userId: "alice",
        keys,
        headers,
      }),
    };
  };

  it("When the event is signed with the primary key only, then it is accepted and recorded", async () => {
    const { connectionId, request } = connectedEvent([PRIMARY_KEY]);
    expect((await app.call(events, request)).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("live");
  });

  it("When the event is signed with the secondary key only (rotation), then it is accepted", async () => {
    const { connectionId, request } = connectedEvent([SECONDARY_KEY]);
    expect((await app.call(events, request)).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("live");
  });

  it("When the header holds a stale key's entry and the primary's, then it is accepted", async () => {
    const { connectionId, request } = connectedEvent([
      "an-old-rotated-key-that-is-no-longer-valid",
      PRIMARY_KEY,
    ]);
    expect((await app.call(events, request)).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("live");
  });

  it("When the hex digest is upper case, then it is still accepted", async () => {
    const connectionId = uniqueId();
    const signature = `sha256=${signConnectionId(PRIMARY_KEY, connectionId).toUpperCase()}`;
    const request = app.event({
      event: "connect",
      connectionId,
      userId: "a",
      keys: [],
      headers: { "ce-signature": signature },
    });
    expect((await app.call(events, request)).status).toBe(204);
  });

  it("When the signature is forged with another key, then 401 and nothing is written", async () => {
    const { connectionId, request } = connectedEvent(["forged-key-forged-key-forged-key-forged"]);
    const response = await app.call(events, request);
    expect(response.status).toBe(401);
    expect(response.text).toMatch(/matches no configured access key/);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it("When the signature header is missing, then 401 and nothing is written", async () => {
    const { connectionId, request } = connectedEvent([PRIMARY_KEY], { "ce-signature": undefined });
    const response = await app.call(events, request);
    expect(response.status).toBe(401);
    expect(response.text).toMatch(/ce-signature header is missing/);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it("When a valid signature for another connection is replayed, then 401", async () => {
    const other = `sha256=${signConnectionId(PRIMARY_KEY, "someone-else")}`;
    const { connectionId, request } = connectedEvent([], { "ce-signature": other });
    expect((await app.call(events, request)).status).toBe(401);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it("When the signature is malformed, then 401 without a crash", async () => {
    for (const bad of ["sha256=", "sha256=zz", "md5=abc", ",,,", "sha256=" + "a".repeat(10_000)]) {
      const { request } = connectedEvent([], { "ce-signature": bad });
      expect((await app.call(events, request)).status).toBe(401);
    }
  });

  it("When a forged message event arrives, then 401 and nothing is routed", async () => {
    const request = app.event({
      event: "message",
      userId: "mallory",
      keys: ["forged-key-forged-key-forged-key-forged"],
      body: JSON.stringify({ type: "send", user: "bob", data: "hi" }),
    });
    expect((await app.call(events, request)).status).toBe(401);
    expect(app.recorder.calls).toEqual([]);
  });

  it("When the origin is not the service's host, then 401 even with a valid signature", async () => {
    const connectionId = uniqueId();
    const request = app.event({
      event: "connect",
      connectionId,
      userId: "a",
      origin: "evil.example.net",
    });
    expect((await app.call(events, request)).status).toBe(401);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });
});
