import { describe, expect, it } from "vitest";
import { Keys, keyPart } from "../../shared/state/keys.js";

// eslint-disable-next-line no-control-regex -- control characters are exactly what keys must not hold
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

describe("table keys", () => {
  it.each([
    "a/b",
    "back\\slash",
    "hash#tag",
    "what?",
    "ctl\u0001\u007f\u0085",
    "😀 emoji",
    "x".repeat(5000),
    "",
  ])("When a value is %j, then its key holds no forbidden character and stays short", (value) => {
    const { partitionKey, rowKey } = Keys.groupMember(value, value, value);
    expect(partitionKey).not.toMatch(FORBIDDEN);
    expect(rowKey).not.toMatch(FORBIDDEN);
    expect(partitionKey.length).toBeLessThanOrEqual(1024);
    expect(rowKey.length).toBeLessThanOrEqual(1024);
  });

  it("When values differ, then their keys differ, including long hashed ones", () => {
    const values = ["a", "b", "A", "x".repeat(2000), `${"x".repeat(1999)}y`, "a.b", "a", "~"];
    const keys = new Set(values.map(keyPart));
    expect(keys.size).toBe(new Set(values).size);
  });

  it("When a string holds a lone surrogate, then its key differs from the replacement character's", () => {
    expect(keyPart("\ud800")).not.toBe(keyPart("\ufffd"));
    expect(keyPart("\ud800")).not.toBe(keyPart("\udc00"));
  });

  it("When a hub or group contains the separator, then partitions cannot collide", () => {
    expect(Keys.membersOfGroup("a.b", "c")).not.toBe(Keys.membersOfGroup("a", "b.c"));
  });
});
