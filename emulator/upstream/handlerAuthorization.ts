import type { EventHandlerSetting } from "../types.js";
import type { ManagedIdentityTokens } from "./ManagedIdentityTokens.js";

export type HandlerAuthorization =
  { ok: true; headers: Record<string, string> } | { ok: false; error: string };

/** The headers a handler's `auth` asks for: none, or a managed identity bearer token. */
export async function handlerAuthorization(
  handler: EventHandlerSetting,
  tokens: ManagedIdentityTokens,
): Promise<HandlerAuthorization> {
  if (handler.auth?.type !== "ManagedIdentity") return { ok: true, headers: {} };
  const resource = handler.auth.managedIdentity.resource;
  try {
    return { ok: true, headers: { Authorization: `Bearer ${await tokens.get(resource)}` } };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `no managed identity token for ${resource} (${why})` };
  }
}
