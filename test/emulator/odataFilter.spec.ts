import { describe, expect, it } from "vitest";
import { compileFilter, type FilterSubject } from "../../emulator/rest/odataFilter.js";

const subject = (overrides: Partial<FilterSubject> = {}): FilterSubject => ({
  connectionId: "c1",
  userId: "alice",
  groups: new Set(["red", "it's"]),
  protocol: "json.webpubsub.azure.v1",
  ...overrides,
});

describe("OData filter", () => {
  it.each([
    ["userId eq 'alice'", true],
    ["userId ne 'alice'", false],
    ["connectionId eq 'c1' and userId eq 'bob'", false],
    ["connectionId eq 'c2' or userId eq 'alice'", true],
    ["not (userId eq 'alice')", false],
    ["'red' in groups", true],
    ["'blue' in groups", false],
    ["'it''s' in groups", true],
    ["not ('blue' in groups) and ('red' in groups or userId eq 'x')", true],
    ["userId in ('bob', 'alice')", true],
    ["protocol eq 'json.webpubsub.azure.v1'", true],
    ["UserId EQ 'alice' AND NOT ConnectionId Eq 'c9'", true],
  ])("When the filter is %s, then the connection matches: %s", (filter, expected) => {
    expect(compileFilter(filter)(subject())).toBe(expected);
  });

  it("When a connection has no user id, then `userId eq null` matches it", () => {
    expect(compileFilter("userId eq null")(subject({ userId: undefined }))).toBe(true);
    expect(compileFilter("userId ne null")(subject())).toBe(true);
  });

  it.each([
    "userId eq",
    "userId gt 'a'",
    "nosuchfield eq 'a'",
    "(userId eq 'a'",
    "userId eq 'a",
    "'a' in",
  ])("When the filter is malformed (%s), then compiling it throws", (filter) => {
    expect(() => compileFilter(filter)).toThrow();
  });
});
