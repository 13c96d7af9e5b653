import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** The Web PubSub REST calls an event handler makes, by what they do. */
export type RestKind =
  | "sendToGroup"
  | "sendToUser"
  | "sendToAll"
  | "addToGroup"
  | "removeFromGroup"
  | "connectionExists"
  | "generateToken"
  | "other";

export const REST_KINDS: readonly RestKind[] = [
  "sendToGroup",
  "sendToUser",
  "sendToAll",
  "addToGroup",
  "removeFromGroup",
  "connectionExists",
  "generateToken",
  "other",
];

export type RestCounts = Readonly<Record<RestKind | "refused", number>>;

export interface RestStandIn {
  readonly endpoint: string;
  snapshot(): RestCounts;
  close(): Promise<void>;
}

/**
 * Stands in for the Web PubSub REST API: checks each call's access-key token (HS256 over the
 * key, unexpired), counts it by kind, and answers as the service answers a successful call
 * (202 for sends, 204 for removals, 200 otherwise). A call without a valid token is answered 401 and counted as
 * refused, which fails the run. Runs in the runner's process, off the measured core.
 */
export async function startRestStandIn(accessKey: string): Promise<RestStandIn> {
  const key = createSecretKey(Buffer.from(accessKey, "utf8"));
  const counts: Record<RestKind | "refused", number> = zero();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (!validToken(req, key)) {
        counts.refused += 1;
        res.writeHead(401);
        res.end();
        return;
      }
      const kind = classify(req);
      counts[kind] += 1;
      res.writeHead(
        req.url?.includes(":send") === true ? 202 : req.method === "DELETE" ? 204 : 200,
      );
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    snapshot: () => ({ ...counts }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function restDelta(before: RestCounts, after: RestCounts): RestCounts {
  const delta = zero();
  for (const kind of [...REST_KINDS, "refused"] as const) delta[kind] = after[kind] - before[kind];
  return delta;
}

export function totalCalls(counts: RestCounts): number {
  return REST_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

function classify(req: IncomingMessage): RestKind {
  const path = (req.url ?? "").split("?")[0] ?? "";
  const parts = path.split("/").filter((part) => part !== "");
  // /api/hubs/{hub}/…
  const rest = parts.slice(3);
  const [first, , third] = rest;
  const last = rest.at(-1);
  if (last === ":send") {
    if (first === "groups") return "sendToGroup";
    if (first === "users") return "sendToUser";
    return rest.length === 1 ? "sendToAll" : "other";
  }
  if (last === ":generateToken") return "generateToken";
  if (first === "groups" && third === "connections") {
    if (req.method === "PUT") return "addToGroup";
    if (req.method === "DELETE") return "removeFromGroup";
  }
  if (first === "connections" && req.method === "HEAD") return "connectionExists";
  return "other";
}

/** An HS256 token signed with the access key and not expired. */
function validToken(req: IncomingMessage, key: ReturnType<typeof createSecretKey>): boolean {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ") !== true) return false;
  const [head, payload, signature] = header.slice("Bearer ".length).split(".");
  if (head === undefined || payload === undefined || signature === undefined) return false;
  const expected = createHmac("sha256", key).update(`${head}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      exp?: unknown;
    };
    return typeof claims.exp === "number" && claims.exp * 1000 > Date.now();
  } catch {
    return false;
  }
}

function zero(): Record<RestKind | "refused", number> {
  return {
    sendToGroup: 0,
    sendToUser: 0,
    sendToAll: 0,
    addToGroup: 0,
    removeFromGroup: 0,
    connectionExists: 0,
    generateToken: 0,
    other: 0,
    refused: 0,
  };
}
