import type { EventHandlerSetting } from "../types.js";
import type { SystemEventName } from "./eventSubject.js";

export type EventRef = { kind: "system"; name: SystemEventName } | { kind: "user"; name: string };

/** The first handler setting that subscribes to the event, if any. */
export function matchHandler(
  settings: readonly EventHandlerSetting[],
  event: EventRef,
): EventHandlerSetting | undefined {
  return settings.find((setting) =>
    event.kind === "system"
      ? (setting.systemEvents ?? []).includes(event.name)
      : matchesUserEvent(setting.userEventPattern, event.name),
  );
}

function matchesUserEvent(pattern: string | undefined, name: string): boolean {
  if (pattern === undefined) return false;
  const trimmed = pattern.trim();
  if (trimmed === "*") return true;
  return trimmed
    .split(",")
    .map((item) => item.trim())
    .some((item) => item === "*" || item === name);
}

/** Resolves `{hub}` and `{event}` in a URL template. */
export function resolveUrl(template: string, hub: string, event: string): string {
  return template
    .replace(/\{hub\}/gi, encodeURIComponent(hub))
    .replace(/\{event\}/gi, encodeURIComponent(event));
}
