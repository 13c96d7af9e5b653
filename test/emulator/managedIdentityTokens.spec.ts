import { describe, expect, it } from "vitest";
import { ManagedIdentityTokens } from "../../emulator/upstream/ManagedIdentityTokens.js";

/** An unsigned JWT with these claims (the cache reads `exp` only). */
function tokenWith(claims: object): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none" })}.${encode(claims)}.`;
}

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

describe("managed identity token cache", () => {
  it("When two requests for a resource overlap, then they share one getToken call", async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tokens = new ManagedIdentityTokens({
      getToken: async (resource) => {
        calls.push(resource);
        await gate;
        return tokenWith({ exp: inSeconds(3600), n: calls.length });
      },
    });
    const both = Promise.all([tokens.get("api://a"), tokens.get("api://a")]);
    release();
    const [first, second] = await both;
    expect(first).toBe(second);
    expect(calls).toEqual(["api://a"]);
  });

  it("When a token has more than five minutes left, then it is reused; with less, or without a readable exp, it is fetched again", async () => {
    let next = (n: number) => tokenWith({ exp: inSeconds(3600), n });
    let count = 0;
    const tokens = new ManagedIdentityTokens({
      getToken: () => Promise.resolve(next(++count)),
    });
    await tokens.get("api://long");
    await tokens.get("api://long");
    expect(count).toBe(1);

    next = (n) => tokenWith({ exp: inSeconds(299), n });
    await tokens.get("api://short");
    await tokens.get("api://short");
    expect(count).toBe(3);

    next = (n) => `opaque-${n}`;
    expect(await tokens.get("api://opaque")).toBe("opaque-4");
    expect(await tokens.get("api://opaque")).toBe("opaque-5");
  });

  it("When getToken fails or gives an empty token, then get rejects and the next call tries again", async () => {
    const answers: (() => Promise<string>)[] = [
      () => Promise.reject(new Error("down")),
      () => Promise.resolve(""),
      () => Promise.resolve(tokenWith({ exp: inSeconds(3600) })),
    ];
    const tokens = new ManagedIdentityTokens({
      getToken: async () => await (answers.shift() ?? (() => Promise.resolve("")))(),
    });
    await expect(tokens.get("api://a")).rejects.toThrow("down");
    await expect(tokens.get("api://a")).rejects.toThrow(/empty/);
    await expect(tokens.get("api://a")).resolves.toMatch(/\./);
  });
});
