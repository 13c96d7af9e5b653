import { describe, expect, it } from "vitest";
import {
  authorizeDirect,
  authorizeGroup,
  type AuthorizationSettings,
} from "../../shared/authorization/authorize.js";
import { GroupPattern } from "../../shared/authorization/groupPattern.js";

const settings = (join: string[], send = ["*"], directMessages = true): AuthorizationSettings => ({
  joinGroups: join.map((pattern) => GroupPattern.fromSetting(pattern)),
  sendGroups: send.map((pattern) => GroupPattern.fromSetting(pattern)),
  directMessages,
});

describe("GroupPattern.fromSetting", () => {
  it.each([
    ["lobby", "lobby", true],
    ["lobby", "lobby2", false],
    ["lobby", "Lobby", false],
    ["room-*", "room-", true],
    ["room-*", "room-a.b/c", true],
    ["room-*", "my-room-1", false],
    ["*", "", true],
    ["*", "anything at all\n", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["*.team", "red.team", true],
    ["inbox-{userId}", "inbox-alice", true],
    ["inbox-{userId}", "inbox-bob", false],
    ["{userId}-*", "alice-notes", true],
    ["room-?", "room-?", true],
    ["room-?", "room-1", false],
  ] as const)(
    "When the pattern is %j and the group %j, then it matches: %s",
    (source, group, expected) => {
      expect(GroupPattern.fromSetting(source).matches(group, "alice")).toBe(expected);
    },
  );

  it("When the user id holds pattern characters, then {userId} still matches it only literally", () => {
    const inbox = GroupPattern.fromSetting("inbox-{userId}");
    expect(inbox.matches("inbox-a*", "a*")).toBe(true);
    expect(inbox.matches("inbox-abc", "a*")).toBe(false);
  });
});

describe("GroupPattern.fromServiceWildcard", () => {
  it.each([
    ["team-*", "team-red", true],
    ["team-*", "team-red.private", false],
    ["team-**", "team-red.private", true],
    ["team-?", "team-1", true],
    ["team-?", "team-.", false],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
  ] as const)(
    "When the role pattern is %j and the group %j, then it matches: %s",
    (source, group, expected) => {
      expect(GroupPattern.fromServiceWildcard(source)?.matches(group, "u")).toBe(expected);
    },
  );

  it("When a role pattern has more than five * (each of a ** counting), or an escape the service does not define, then it grants nothing", () => {
    expect(GroupPattern.fromServiceWildcard("*a*b*c*d*e*")).toBeUndefined();
    expect(GroupPattern.fromServiceWildcard("**.**.**")).toBeUndefined();
    expect(GroupPattern.fromServiceWildcard("**.**.*")?.matches("a.b.c", "u")).toBe(true);
    expect(GroupPattern.fromServiceWildcard("abc\\")).toBeUndefined();
    expect(GroupPattern.fromServiceWildcard("a\\b")).toBeUndefined();
    expect(GroupPattern.fromServiceWildcard("a\\\\b")?.matches("a\\b", "u")).toBe(true);
  });

  it("When names hold characters beyond the BMP, then ? and literals take whole characters", () => {
    expect(GroupPattern.fromServiceWildcard("room-?")?.matches("room-🚀", "u")).toBe(true);
    expect(GroupPattern.fromServiceWildcard("🚀-*")?.matches("🚀-x", "u")).toBe(true);
  });
});

describe("authorizeGroup", () => {
  const subject = (roles: string[] = [], userId = "alice") => ({ userId, roles });

  it.each([
    ["join", [], [], "g", false, false],
    ["join", ["webpubsub.joinLeaveGroup"], [], "g", false, true],
    ["join", ["webpubsub.joinLeaveGroup.g"], [], "g", false, true],
    ["join", ["webpubsub.joinLeaveGroup.g"], [], "h", false, false],
    ["join", ["webpubsub.joinLeaveGroups.g*"], [], "g1", false, true],
    ["join", ["webpubsub.sendToGroup"], [], "g", false, false],
    ["join", [], ["g*"], "g1", false, true],
    ["leave", [], ["g*"], "g1", true, true],
    ["leave", [], [], "g1", true, false],
    ["send", [], [], "g", true, true],
    ["send", ["webpubsub.sendToGroup"], [], "g", false, false],
    ["members", [], [], "g", true, true],
    ["members", ["webpubsub.joinLeaveGroup"], [], "g", false, false],
  ] as const)(
    "When %s with roles %j and join patterns %j on %j (member: %s), then allowed is %s",
    (action, roles, join, group, isMember, allowed) => {
      const decision = authorizeGroup(
        action,
        subject([...roles]),
        group,
        isMember,
        settings([...join]),
      );
      expect(decision.allowed).toBe(allowed);
    },
  );

  it("When the send patterns leave a group out, then its members may only receive unless a role allows sending", () => {
    const announce = settings([], ["room-*"]);
    const refused = authorizeGroup("send", subject(), "news", true, announce);
    expect(refused).toMatchObject({ allowed: false, rule: "no role or pattern allows sending" });
    expect(refused.allowed || refused.reason).toMatch(/may only receive.*SWITCHBOARD_SEND_GROUPS/);
    expect(
      authorizeGroup("send", subject(["webpubsub.sendToGroup.news"]), "news", true, announce),
    ).toEqual({ allowed: true, rule: "role webpubsub.sendToGroup.news" });
    expect(authorizeGroup("send", subject(), "room-1", true, announce)).toEqual({
      allowed: true,
      rule: "SWITCHBOARD_SEND_GROUPS pattern 'room-*'",
    });
  });

  it("When a refusal is made, then its reason names the role and the setting that would allow it", () => {
    const decision = authorizeGroup("join", subject(), "admins", false, settings([]));
    expect(decision.allowed || decision.reason).toBe(
      "joining or leaving 'admins' needs the role webpubsub.joinLeaveGroup (or webpubsub.joinLeaveGroup.<group>) or a SWITCHBOARD_JOIN_GROUPS pattern that matches it",
    );
  });
});

describe("authorizeDirect", () => {
  it("When direct messages are on or off, then the decision follows", () => {
    expect(authorizeDirect(settings([])).allowed).toBe(true);
    expect(authorizeDirect(settings([], ["*"], false))).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/SWITCHBOARD_DIRECT_MESSAGES=false/),
    });
  });
});
