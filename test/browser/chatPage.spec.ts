import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { System } from "../e2e/system.js";

/** Debian's Chromium (apt-get install chromium); Playwright's own browser download is not used. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("the demo chat page in a real browser", () => {
  const system = new System();
  let browser: Browser;
  beforeAll(async () => {
    await system.start({
      SWITCHBOARD_DEMO_PAGE: "true",
      SWITCHBOARD_DEV_ALLOW_QUERY_USER_ID: "true",
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser.close();
    await system.stop();
  });

  const join = async (name: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${system.host.url}/api/chat`);
    await page.fill("#name", name);
    await page.fill("#group", "lobby");
    await page.click("#join button");
    await page.getByText("joined lobby").waitFor();
    return page;
  };

  it("When two tabs join the same group, then what one sends appears in the other", async () => {
    const [alice, bob] = [await join("alice"), await join("bob")];
    await alice.fill("#text", "hello from alice");
    await alice.click("#sendButton");
    await bob.getByText("alice: hello from alice").waitFor();
    await bob.fill("#text", "<b>hi</b> alice");
    await bob.click("#sendButton");
    await alice.getByText("bob: <b>hi</b> alice").waitFor();
    // Text arrives as text: markup a user typed is shown, never rendered.
    expect(await alice.locator("#log b").count()).toBe(0);
  });
});
