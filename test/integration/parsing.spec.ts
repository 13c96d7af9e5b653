import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApp, uniqueId } from "../fixtures/testApp.js";

describe("CloudEvents parsing", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());

  const event = (headers: Record<string, string | undefined>, connectionId = uniqueId()) =>
    app.event({
      event: "connected",
      connectionId,
      headers,
    });

  it.each([
    ["ce-type", /ce-type header is missing/],
    ["ce-connectionId", /ce-connectionid header is missing/],
    ["ce-hub", /ce-hub header is missing/],
    ["ce-eventName", /ce-eventname header is missing/],
    ["webhook-request-origin", /webhook-request-origin header is missing/],
  ])("When %s is missing, then 400 names it and nothing is written", async (header, reason) => {
    const connectionId = uniqueId();
    const response = await app.call(events, event({ [header]: undefined }, connectionId));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(reason);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it.each([
    ["ce-id is missing", { "ce-id": undefined }, /ce-id is missing/],
    ["ce-id is empty", { "ce-id": "" }, /ce-id is missing/],
    ["ce-specversion is missing", { "ce-specversion": undefined }, /ce-specversion is missing/],
    ["ce-specversion is 0.3", { "ce-specversion": "0.3" }, /ce-specversion is '0.3', not 1.0/],
    ["ce-source is missing", { "ce-source": undefined }, /ce-source is missing/],
    ["ce-time is no timestamp", { "ce-time": "yesterday" }, /ce-time is not an RFC 3339/],
    ["ce-time is no date", { "ce-time": "2024-13-45T99:00:00Z" }, /ce-time is not an RFC 3339/],
  ])(
    "When %s, then 400 says why the CloudEvent is invalid and nothing is written",
    async (_, headers, reason) => {
      const connectionId = uniqueId();
      const response = await app.call(events, event(headers, connectionId));
      expect(response.status).toBe(400);
      expect(response.text).toMatch(/not a valid binary-mode CloudEvent/);
      expect(response.text).toMatch(reason);
      expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
    },
  );

  it("When ce-time has an offset and fractions, or ce-source holds unusual characters, then the event is accepted", async () => {
    const request = event({
      "ce-time": "2026-11-28T10:00:00.123456+01:00",
      "ce-source": "/hubs/chat/client/a b#c?d%",
    });
    expect((await app.call(events, request)).status).toBe(204);
  });

  it("When ce-type is unknown, then 400", async () => {
    const response = await app.call(events, event({ "ce-type": "com.example.other" }));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/unknown event type/);
  });

  it("When the event is for another hub, then 400 and nothing is written", async () => {
    const connectionId = uniqueId();
    const request = app.event({
      event: "connected",
      hub: "otherhub",
      connectionId,
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/handles hub 'chat'/);
    expect(await app.tableRows.connectionRow(connectionId)).toBeUndefined();
  });

  it("When an event reaches another event's route, then 400", async () => {
    const request = app.event({
      event: "disconnected",
      route: "connected",
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/'disconnected' event was sent to the 'connected' route/);
  });

  it("When a connect body is not JSON, then 400", async () => {
    const request = app.event({
      event: "connect",
      body: "{not json",
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/not valid JSON/);
  });

  it("When a connect body has the wrong shape, then 400 names the field", async () => {
    const body = JSON.stringify({ claims: { sub: "not-a-list" } });
    const request = app.event({
      event: "connect",
      body,
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/claims\.sub/);
  });

  it("When a message has an unsupported content type, then 415", async () => {
    const request = app.event({
      event: "message",
      contentType: "application/xml",
      body: "<a/>",
    });
    expect((await app.call(events, request)).status).toBe(415);
  });

  it("When the body is larger than the hard limit, then 413", async () => {
    const body = new Uint8Array(2 * 1024 * 1024);
    const request = app.event({
      event: "message",
      contentType: "application/octet-stream",
      body,
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(413);
  });

  it("When a disconnected body is empty, then it is still processed", async () => {
    const connectionId = uniqueId();
    const request = app.event({
      event: "disconnected",
      connectionId,
      body: "",
    });
    expect((await app.call(events, request)).status).toBe(204);
    expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
  });

  it.each([['{"reason":5}'], ['{"reason":null}'], ["not json at all"]])(
    "When a disconnected body is odd (%s), then the cleanup still happens",
    async (body) => {
      const connectionId = uniqueId();
      const request = app.event({
        event: "disconnected",
        connectionId,
        body,
      });
      expect((await app.call(events, request)).status).toBe(204);
      expect((await app.tableRows.connectionRow(connectionId))?.state).toBe("gone");
    },
  );

  it("When the signature is forged, then 401 comes before the body is parsed", async () => {
    const request = app.event({
      event: "connect",
      keys: ["forged-key-forged-key-forged-key"],
      body: "{not json",
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(401);
  });

  it("When the signature is forged, then the hub name is not revealed", async () => {
    const request = app.event({
      event: "connected",
      hub: "guess",
      keys: ["forged-key-forged-key-forged-key"],
    });
    const response = await app.call(events, request);
    expect(response.status).toBe(401);
    expect(response.text).not.toMatch(/chat/);
  });

  it("When hostile values arrive in the connection id, user id and state of a valid event, then they are handled without a crash", async () => {
    const hostile = [
      "a".repeat(4000),
      "../../etc/passwd",
      "\u00ff\u00fe",
      "%00%2F",
      "' or 1 eq 1 or '",
      "a,sha256=b",
    ];
    for (const value of hostile) {
      const connectionId = `c-${value}`;
      const states = [Buffer.from(value, "latin1").toString("base64"), "%%%", value.slice(0, 100)];
      for (const connectionState of states) {
        const request = app.event({
          event: "connect",
          connectionId,
          userId: value,
          connectionState,
        });
        expect((await app.call(events, request)).status).toBe(204);
      }
      expect((await app.tableRows.connectionRow(connectionId))?.userId).toBe(value);
    }
  });

  it("When hostile header values arrive, then answers are 4xx and the process keeps serving", async () => {
    const hostile = [
      "a".repeat(8000),
      "../../etc/passwd",
      "\u00ff\u00fe",
      "%00",
      "' or 1 eq 1 or '",
    ];
    for (const value of hostile) {
      const response = await app.call(events, event({ "ce-hub": value }));
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    const ok = await app.call(events, event({}));
    expect(ok.status).toBe(204);
  });
});
