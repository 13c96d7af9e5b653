import type { IncomingMessage } from "node:http";
import { acceptedHosts, clientAudiences } from "../auth/audiences.js";
import { claimsAsLists, identityFromClaims, type TokenIdentity } from "../auth/claims.js";
import { bearerToken, verifyToken } from "../auth/verifyToken.js";
import { isValidHub } from "../core/names.js";

/** A client's WebSocket upgrade request, authenticated. */
export interface ClientRequest {
  hub: string;
  identity: TokenIdentity;
  claims: Record<string, string[]>;
  query: URLSearchParams;
  /** Subprotocols the client offered, in its order. */
  subprotocols: string[];
  recovery: { connectionId: string; reconnectionToken: string } | undefined;
}

export type ClientRequestResult =
  { ok: true; request: ClientRequest } | { ok: false; status: number; reason: string };

/** Reads the hub, token and subprotocols of `/client/hubs/{hub}` or `/client?hub={hub}`. */
export function readClientRequest(
  req: IncomingMessage,
  accessKeys: readonly string[],
  ownHost: string,
): ClientRequestResult {
  const host = req.headers.host ?? "localhost";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${host}`);
  } catch {
    return { ok: false, status: 400, reason: "The Host header or the URL is malformed." };
  }
  const match = /^\/client(?:\/hubs\/([^/]+))?\/?$/i.exec(url.pathname);
  if (!match) return { ok: false, status: 404, reason: "Not a client endpoint." };
  const hub = match[1] === undefined ? url.searchParams.get("hub") : safeDecode(match[1]);
  if (hub === null || !isValidHub(hub)) return { ok: false, status: 400, reason: "Invalid hub." };

  const connectionId = url.searchParams.get("awps_connection_id");
  const reconnectionToken = url.searchParams.get("awps_reconnection_token");
  const recovery =
    connectionId !== null && reconnectionToken !== null
      ? { connectionId, reconnectionToken }
      : undefined;

  const token = url.searchParams.get("access_token") ?? bearerToken(req.headers.authorization);
  if (token === undefined || token === "") {
    return { ok: false, status: 401, reason: "An access token is required." };
  }
  const verdict = verifyToken(token, accessKeys, {
    audiences: clientAudiences(acceptedHosts(host, ownHost), hub),
    ignoreExpiration: recovery !== undefined,
  });
  if (!verdict.ok) return { ok: false, status: 401, reason: `Invalid token: ${verdict.reason}.` };

  const offered = (req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return {
    ok: true,
    request: {
      hub,
      identity: identityFromClaims(verdict.claims),
      claims: claimsAsLists(verdict.claims),
      query: url.searchParams,
      subprotocols: offered,
      recovery,
    },
  };
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
