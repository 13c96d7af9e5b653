import type { TokenIdentity } from "../auth/claims.js";
import { JSON_SUBPROTOCOL, RELIABLE_SUBPROTOCOL } from "../core/ClientConnection.js";
import type { UpstreamResponse } from "../upstream/postWithRetry.js";

export type ConnectOutcome =
  | { ok: true; identity: TokenIdentity; subprotocol: string | undefined }
  | { ok: false; status: number; reason: string };

const SUPPORTED = [RELIABLE_SUBPROTOCOL, JSON_SUBPROTOCOL];

/**
 * Applies the connect handler's answer to the token's identity (the connect event's response contract): 204 or an
 * empty body keeps the token defaults; 200 JSON may set userId, roles, groups (non-empty
 * replaces) and subprotocol; any other status rejects the client with it (no answer → 500).
 */
export function connectOutcome(
  token: TokenIdentity,
  offered: readonly string[],
  response: UpstreamResponse | undefined,
): ConnectOutcome {
  if (response === undefined) return { ok: true, identity: token, subprotocol: choose(offered) };
  if (response.status === 0) {
    return {
      ok: false,
      status: 500,
      reason: `The connect handler failed: ${response.error ?? ""}`,
    };
  }
  if (response.status < 200 || response.status >= 300) {
    const status = response.status >= 400 && response.status < 600 ? response.status : 500;
    return { ok: false, status, reason: "The connect handler rejected the client." };
  }
  const text = response.body.toString("utf8").trim();
  if (response.status === 204 || text === "") {
    return { ok: true, identity: token, subprotocol: choose(offered) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, status: 500, reason: "The connect handler answered invalid JSON." };
  }
  if (body === null || typeof body !== "object") {
    return { ok: true, identity: token, subprotocol: choose(offered) };
  }
  const answer = body as Record<string, unknown>;
  const groups = stringList(answer.groups);
  const identity: TokenIdentity = {
    userId: typeof answer.userId === "string" ? answer.userId : token.userId,
    roles: stringList(answer.roles) ?? token.roles,
    groups: groups && groups.length > 0 ? groups : token.groups,
  };
  const wanted = typeof answer.subprotocol === "string" ? answer.subprotocol : undefined;
  if (wanted !== undefined && wanted !== "" && !offered.includes(wanted)) {
    return {
      ok: false,
      status: 500,
      reason: `The connect handler chose an unoffered subprotocol.`,
    };
  }
  return { ok: true, identity, subprotocol: wanted || choose(offered) };
}

/** The first supported subprotocol offered; else the first offered one (a raw client). */
function choose(offered: readonly string[]): string | undefined {
  return offered.find((protocol) => SUPPORTED.includes(protocol)) ?? offered[0];
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : undefined;
}
