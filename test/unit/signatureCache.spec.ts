import { describe, expect, it } from "vitest";
import { signConnectionId } from "../../shared/protocol/signature.js";
import { SignatureCache } from "../../shared/protocol/signatureCache.js";

const header = (key: string, connectionId: string) =>
  `sha256=${signConnectionId(key, connectionId)}`;

describe("SignatureCache", () => {
  it("When a connection's signature was verified, then the same header passes again and a different one does not", () => {
    const cache = new SignatureCache(["k1", "k2"]);
    expect(cache.isValid(header("k1", "c1"), "c1")).toBe(true);
    expect(cache.isValid(header("k1", "c1"), "c1")).toBe(true);
    expect(cache.isValid(header("forged", "c1"), "c1")).toBe(false);
    expect(cache.isValid(header("k2", "c1"), "c1")).toBe(true);
  });

  it("When a header valid for one connection is replayed for another, then it fails", () => {
    const cache = new SignatureCache(["k1"]);
    expect(cache.isValid(header("k1", "c1"), "c1")).toBe(true);
    expect(cache.isValid(header("k1", "c1"), "c2")).toBe(false);
  });

  it("When many connections are seen, then entries beyond the bound are forgotten, not wrongly kept", () => {
    const cache = new SignatureCache(["k"]);
    for (let i = 0; i < 10_050; i++)
      expect(cache.isValid(header("k", `c${i}`), `c${i}`)).toBe(true);
    expect(cache.isValid(header("k", "c0"), "c0")).toBe(true);
    expect(cache.isValid(header("x", "c0"), "c0")).toBe(false);
  });
});
