import type { IncomingMessage } from "node:http";
import type { ClientRequest } from "./clientRequest.js";

const HIDDEN_QUERY = new Set(["access_token", "awps_connection_id", "awps_reconnection_token"]);
const HIDDEN_HEADERS = new Set([
  "authorization",
  "connection",
  "upgrade",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** The body of the `connect` event: claims, query, headers, subprotocols (maps of lists). */
export function connectEventBody(req: IncomingMessage, request: ClientRequest): object {
  const query: Record<string, string[]> = {};
  for (const [name, value] of request.query) {
    if (HIDDEN_QUERY.has(name.toLowerCase())) continue;
    (query[name] ??= []).push(value);
  }
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values && !HIDDEN_HEADERS.has(name)) headers[name] = values;
  }
  return {
    claims: request.claims,
    query,
    headers,
    subprotocols: request.subprotocols,
    clientCertificates: [],
  };
}
