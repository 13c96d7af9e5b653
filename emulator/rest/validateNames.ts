import { isValidGroup } from "../core/names.js";
import { invalidGroupName } from "./RestError.js";

export function requireGroup(group: string): string {
  if (!isValidGroup(group)) {
    throw invalidGroupName();
  }
  return group;
}
