const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

export function isValidHub(hub: string): boolean {
  return HUB_PATTERN.test(hub);
}

/** Group names: 1–1024 characters, not only whitespace. */
export function isValidGroup(group: unknown): group is string {
  return typeof group === "string" && group.length <= 1024 && group.trim().length > 0;
}
