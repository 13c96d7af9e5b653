import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../shared/routing/rateLimiter.js";

describe("RateLimiter", () => {
  it("When a key uses its minute, then further messages are refused until the window turns", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([true, true, false]);
    expect(limiter.take("b")).toBe(true);
    now = 60_000;
    expect(limiter.take("a")).toBe(true);
  });

  it("When the limit is 0, then nothing is limited", () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take("a")).toBe(true);
  });
});
