import { describe, expect, it } from "vitest";
import { hasPermission } from "../../emulator/core/permissions.js";

describe("roles", () => {
  it.each([
    [["webpubsub.joinLeaveGroup"], "joinLeaveGroup", "any", true],
    [["webpubsub.joinLeaveGroup.a"], "joinLeaveGroup", "a", true],
    [["webpubsub.joinLeaveGroup.a"], "joinLeaveGroup", "b", false],
    [["webpubsub.joinLeaveGroup.a"], "sendToGroup", "a", false],
    [["webpubsub.sendToGroups.chat.*"], "sendToGroup", "chat.room1", true],
    [["webpubsub.sendToGroups.chat.*"], "sendToGroup", "chat.room1.sub", false],
    [["webpubsub.sendToGroups.chat.**"], "sendToGroup", "chat.room1.sub", true],
    [["webpubsub.joinLeaveGroups.r?"], "joinLeaveGroup", "r1", true],
    [["webpubsub.joinLeaveGroups.r?"], "joinLeaveGroup", "r12", false],
    [["webpubsub.joinLeaveGroups.a\\*"], "joinLeaveGroup", "a*", true],
    [["webpubsub.joinLeaveGroups.a\\*"], "joinLeaveGroup", "ab", false],
    [["webpubsub.joinLeaveGroups.Chat"], "joinLeaveGroup", "chat", false],
  ] as const)(
    "When the roles are %j, then %s on %s is allowed: %s",
    (roles, permission, group, expected) => {
      expect(hasPermission(new Set(roles), permission, group)).toBe(expected);
    },
  );
});
