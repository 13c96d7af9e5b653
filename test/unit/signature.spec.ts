import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isValidSignature, signConnectionId } from "../../shared/protocol/signature.js";

describe("signature", () => {
  it("When signing, then the digest is hex HMAC-SHA256 of the connection id with the key's UTF-8 bytes", () => {
    const expected = createHmac("sha256", Buffer.from("kéy", "utf8"))
      .update("conn-1")
      .digest("hex");
    expect(signConnectionId("kéy", "conn-1")).toBe(expected);
  });

  it("When any entry matches any key, then it is valid", () => {
    const header = `sha256=${"0".repeat(64)},sha256=${signConnectionId("second", "c")}`;
    expect(isValidSignature(header, "c", ["first", "second"])).toBe(true);
  });

  it("When no key is configured, then nothing is valid", () => {
    expect(isValidSignature(`sha256=${signConnectionId("k", "c")}`, "c", [])).toBe(false);
  });

  it("When entries have spaces or upper-case prefixes, then they still match", () => {
    expect(
      isValidSignature(` SHA256=${signConnectionId("k", "c").toUpperCase()} `, "c", ["k"]),
    ).toBe(true);
  });
});
