import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../shared/routing/rateLimiter.js";

describe("RateLimiter", () => {
  it("When a key uses its allowance, then further messages are refused until it refills", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([true, true, false]);
    expect(limiter.take("b")).toBe(true);
    now = 30_000;
    expect([limiter.take("a"), limiter.take("a")]).toEqual([true, false]);
    now = 90_000;
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([true, true, false]);
  });

  it("When messages straddle a minute boundary, then no more than the rate gets through", () => {
    let now = 59_000;
    const limiter = new RateLimiter(60, () => now);
    let passed = 0;
    for (let i = 0; i < 60; i++) if (limiter.take("a")) passed++;
    now = 61_000;
    for (let i = 0; i < 60; i++) if (limiter.take("a")) passed++;
    // 60 at once, then what two seconds refill: never the 120 a fixed window lets through.
    expect(passed).toBe(62);
  });

  it("When many other keys arrive, then a limited key stays limited and memory stays bounded", () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now, 100);
    expect([limiter.take("limited"), limiter.take("limited")]).toEqual([true, true]);
    expect(limiter.take("limited")).toBe(false);
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      limiter.take(`other-${i}`);
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
    now = 20_000;
    expect(limiter.take("limited")).toBe(false);
  });

  it("When every tracked key is limited, then none is forgotten to make room", () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now, 10);
    for (let i = 0; i < 50; i++) expect(limiter.take(`k-${i}`)).toBe(true);
    now = 1000;
    for (let i = 0; i < 50; i++) expect(limiter.take(`k-${i}`)).toBe(false);
  });

  it("When the limit is 0, then nothing is limited", () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take("a")).toBe(true);
  });
});
