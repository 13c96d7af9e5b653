import { matchGroupPattern } from "./matchGroupPattern.js";

export type Permission = "joinLeaveGroup" | "sendToGroup";

export const PERMISSIONS: readonly Permission[] = ["joinLeaveGroup", "sendToGroup"];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** The role string that grants a permission, for one group or (no group) for all groups. */
export function roleFor(permission: Permission, group: string | undefined): string {
  return group === undefined ? `webpubsub.${permission}` : `webpubsub.${permission}.${group}`;
}

/**
 * Whether a set of roles allows an action on a group: the plain role, the role for that group,
 * or a wildcard role (`webpubsub.joinLeaveGroups.<pattern>`, `webpubsub.sendToGroups.<pattern>`).
 */
export function hasPermission(
  roles: ReadonlySet<string>,
  permission: Permission,
  group: string | undefined,
): boolean {
  if (roles.has(`webpubsub.${permission}`)) return true;
  if (group === undefined) return false;
  if (roles.has(roleFor(permission, group))) return true;
  const wildcardPrefix = `webpubsub.${permission}s.`;
  for (const role of roles) {
    if (role.startsWith(wildcardPrefix)) {
      if (matchGroupPattern(role.slice(wildcardPrefix.length), group)) return true;
    }
  }
  return false;
}
