/** Identity a client token carries: `sub`, `role`, `webpubsub.group`. */
export interface TokenIdentity {
  userId: string | undefined;
  roles: string[];
  groups: string[];
}

export function identityFromClaims(claims: Record<string, unknown>): TokenIdentity {
  const sub = claims.sub;
  return {
    userId: typeof sub === "string" && sub.length > 0 ? sub : undefined,
    roles: strings(claims.role),
    groups: strings(claims["webpubsub.group"]),
  };
}

/** The connect event's `claims`: every claim as a list of strings. */
export function claimsAsLists(claims: Record<string, unknown>): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(claims)) {
    const values = Array.isArray(value) ? value : [value];
    lists[name] = values.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
  }
  return lists;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}
