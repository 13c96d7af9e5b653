import { isValidGroup } from "../core/names.js";
import { RestError } from "./RestError.js";

export function requireGroup(group: string): string {
  if (!isValidGroup(group)) {
    throw new RestError(
      400,
      "InvalidGroupName",
      "The group name must be 1–1024 characters, not only whitespace.",
    );
  }
  return group;
}
