import { HttpRequest } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat } from "../../functions/chat.js";
import { TestApp } from "../fixtures/testApp.js";

describe("demo chat page", () => {
  const app = new TestApp();
  beforeAll(async () => await app.start());
  afterAll(async () => await app.stop());
  const get = () => new HttpRequest({ method: "GET", url: "http://localhost:7071/api/chat" });

  it("When the demo page setting is off (the default), then 404", async () => {
    expect((await app.call(chat, get())).status).toBe(404);
  });

  it("When it is on, then the page is served with a strict content security policy", async () => {
    app.configure({ SWITCHBOARD_DEMO_PAGE: "true" });
    const response = await app.call(chat, get());
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "Content-Type": "text/html; charset=utf-8" });
    expect((response.headers as Record<string, string>)["Content-Security-Policy"]).toMatch(
      /default-src 'none'/,
    );
    expect(response.text).toMatch(/json\.webpubsub\.azure\.v1/);
    expect(response.text).not.toMatch(/innerHTML/);
  });
});
