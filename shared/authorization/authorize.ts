import { SettingNames as S } from "../config/settingNames.js";
import { anyMatches, GroupPattern } from "./groupPattern.js";

/** What the message protocol lets a client do to a group. */
export type GroupAction = "join" | "leave" | "send" | "members";

/** The settings the policy reads (see `Config.authorization`). */
export interface AuthorizationSettings {
  /** `SWITCHBOARD_JOIN_GROUPS`: groups anyone may join and leave. Empty: only roles grant it. */
  readonly joinGroups: readonly GroupPattern[];
  /** `SWITCHBOARD_SEND_GROUPS`: groups whose members may send. Default `*`. */
  readonly sendGroups: readonly GroupPattern[];
  /** `SWITCHBOARD_DIRECT_MESSAGES`: whether a client may send to a user. */
  readonly directMessages: boolean;
}

/** Who asks, as the store knows the connection: never what the request claims. */
export interface Requester {
  readonly userId: string;
  /** The connection's effective roles, recorded at connect. */
  readonly roles: readonly string[];
}

/** The outcome, naming the rule that decided it (for the ack and the log). */
export type Decision =
  | { readonly allowed: true; readonly rule: string }
  | { readonly allowed: false; readonly rule: string; readonly reason: string };

const JOIN_LEAVE = { role: "webpubsub.joinLeaveGroup", wildcard: "webpubsub.joinLeaveGroups." };
const SEND = { role: "webpubsub.sendToGroup", wildcard: "webpubsub.sendToGroups." };

/**
 * The one authorization policy of the message protocol, in the service's own role model:
 *
 * - join / leave G: the role `webpubsub.joinLeaveGroup`, `webpubsub.joinLeaveGroup.G` or a
 *   wildcard `webpubsub.joinLeaveGroups.<pattern>` matching G, or a `SWITCHBOARD_JOIN_GROUPS`
 *   pattern matching G;
 * - send to G: membership of G, and the role `webpubsub.sendToGroup[.G]` (or its wildcard
 *   form) or a `SWITCHBOARD_SEND_GROUPS` pattern matching G;
 * - members of G: membership of G.
 *
 * Whatever no rule allows is refused.
 */
export function authorizeGroup(
  action: GroupAction,
  requester: Requester,
  group: string,
  isMember: boolean,
  settings: AuthorizationSettings,
): Decision {
  const shown = `'${group.length > 128 ? `${group.slice(0, 128)}…` : group}'`;
  switch (action) {
    case "join":
    case "leave": {
      const rule = grant(JOIN_LEAVE, S.joinGroups, settings.joinGroups, requester, group);
      return (
        rule ?? {
          allowed: false,
          rule: "no role or pattern allows joining or leaving",
          reason: `joining or leaving ${shown} needs the role ${JOIN_LEAVE.role} (or ${JOIN_LEAVE.role}.<group>) or a ${S.joinGroups} pattern that matches it`,
        }
      );
    }
    case "send": {
      if (!isMember) {
        return {
          allowed: false,
          rule: "not a member",
          reason: `join ${shown} before sending to it`,
        };
      }
      const rule = grant(SEND, S.sendGroups, settings.sendGroups, requester, group);
      return (
        rule ?? {
          allowed: false,
          rule: "no role or pattern allows sending",
          reason: `members of ${shown} may only receive: sending needs the role ${SEND.role} (or ${SEND.role}.<group>) or a ${S.sendGroups} pattern that matches it`,
        }
      );
    }
    case "members":
      return isMember
        ? { allowed: true, rule: "member" }
        : {
            allowed: false,
            rule: "not a member",
            reason: `only members of ${shown} may list its members`,
          };
  }
}

/** Direct messages to a user: allowed unless `SWITCHBOARD_DIRECT_MESSAGES=false`. */
export function authorizeDirect(settings: AuthorizationSettings): Decision {
  return settings.directMessages
    ? { allowed: true, rule: S.directMessages }
    : {
        allowed: false,
        rule: `${S.directMessages}=false`,
        reason: `direct messages are turned off (${S.directMessages}=false)`,
      };
}

function grant(
  roles: { role: string; wildcard: string },
  setting: string,
  patterns: readonly GroupPattern[],
  requester: Requester,
  group: string,
): Decision | undefined {
  for (const role of requester.roles) {
    if (role === roles.role || role === `${roles.role}.${group}`) {
      return { allowed: true, rule: `role ${role}` };
    }
    if (role.startsWith(roles.wildcard)) {
      const pattern = GroupPattern.fromServiceWildcard(role.slice(roles.wildcard.length));
      if (pattern?.matches(group, requester.userId) === true) {
        return { allowed: true, rule: `role ${role}` };
      }
    }
  }
  const pattern = anyMatches(patterns, group, requester.userId);
  return pattern === undefined
    ? undefined
    : { allowed: true, rule: `${setting} pattern '${pattern.source}'` };
}
