import { events } from "../../functions/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handshake } from "../fixtures/serviceEvent.js";
import { TestApp } from "../fixtures/testApp.js";

describe("abuse-protection handshake", () => {
  const app = new TestApp();
  beforeAll(
    async () =>
      await app.start({
        SWITCHBOARD_ALLOWED_ORIGINS: "chat.example.com, replica.webpubsub.azure.com",
      }),
  );
  afterAll(async () => await app.stop());

  it("When the origin is the configured endpoint host, then 200 names that host", async () => {
    const response = await app.call(events, handshake("127.0.0.1"));
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ "WebHook-Allowed-Origin": "127.0.0.1" });
  });

  it("When the origin carries several hosts and one is allowed, then 200 names the allowed one", async () => {
    const response = await app.call(
      events,
      handshake("evil.example.net, Replica.WebPubSub.Azure.com"),
    );
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ "WebHook-Allowed-Origin": "replica.webpubsub.azure.com" });
  });

  it("When the origin is an extra configured host, then every event route accepts it", async () => {
    for (const route of ["connect", "connected", "message", "disconnected"]) {
      const response = await app.call(events, handshake("chat.example.com", route));
      expect(response.status).toBe(200);
      expect(response.headers).toEqual({ "WebHook-Allowed-Origin": "chat.example.com" });
    }
  });

  it("When the origin is not allowed, then 400 with a reason and no allowed-origin header", async () => {
    const response = await app.call(events, handshake("attacker.example.net"));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/not an allowed/);
    expect(JSON.stringify(response.headers)).not.toMatch(/WebHook-Allowed-Origin/);
  });

  it("When the origin header is missing, then 400 says so", async () => {
    const response = await app.call(events, handshake(undefined));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/WebHook-Request-Origin header is missing/);
  });

  it("When a route names no event the service sends, then 404 with the list of routes", async () => {
    const response = await app.call(events, handshake("127.0.0.1", "custom-event"));
    expect(response.status).toBe(404);
    expect(response.text).toMatch(/connect, connected, message, disconnected/);
  });

  it("When a POST reaches the validate route, then 405", async () => {
    const request = app.event({
      event: "connected",
      connectionId: "c1",
      route: "validate",
    });
    expect((await app.call(events, request)).status).toBe(405);
  });

  it("When '*' is configured explicitly, then an unknown origin gets '*'", async () => {
    app.configure({ SWITCHBOARD_ALLOWED_ORIGINS: "*" });
    const response = await app.call(events, handshake("anything.example.org"));
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ "WebHook-Allowed-Origin": "*" });
    expect(
      app.logs.some((line) => line.level === "warning" && line.text.includes("any origin")),
    ).toBe(true);
  });
});
