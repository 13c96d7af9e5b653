import { Agent, createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What one Table Storage request does, read from its method and URL. */
export type TableOpKind =
  "read" | "query" | "insert" | "replace" | "merge" | "delete" | "batch" | "createTable";

export const TABLE_OP_KINDS: readonly TableOpKind[] = [
  "read",
  "query",
  "insert",
  "replace",
  "merge",
  "delete",
  "batch",
  "createTable",
];

/** Round trips to Table Storage: each request counts once (a batch is one). */
export interface TableCounts {
  readonly byKind: Readonly<Record<TableOpKind, number>>;
  /** Answers that were not 2xx (a 404 of a delete, a 409 of an insert), by kind. */
  readonly refusedByKind: Readonly<Record<TableOpKind, number>>;
}

export interface TableCounter {
  /** An account connection string whose table endpoint is this counter. */
  readonly connectionString: string;
  /** The table endpoint of the account (`http://host:port/account`). */
  readonly endpoint: string;
  snapshot(): TableCounts;
  close(): Promise<void>;
}

/**
 * A counting HTTP proxy in front of Azurite: every implementation reaches Table Storage through
 * it, so the round trips of each event are counted rather than assumed. Requests and answers
 * pass through unchanged (Shared Key Lite signs the path and date, not the host).
 */
export async function startTableCounter(azurite: {
  connectionString: string;
  endpoint: string;
}): Promise<TableCounter> {
  const target = new URL(azurite.endpoint);
  const agent = new Agent({ keepAlive: true });
  const byKind = zero();
  const refusedByKind = zero();
  const server = createServer((req, res) => {
    const kind = classify(req);
    byKind[kind] += 1;
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        const status = answer.statusCode ?? 502;
        if (status < 200 || status > 299) refusedByKind[kind] += 1;
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      res.writeHead(502);
      res.end(error.message);
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}${target.pathname}`;
  return {
    endpoint,
    connectionString: azurite.connectionString.replace(
      /TableEndpoint=[^;]+;/,
      `TableEndpoint=${endpoint};`,
    ),
    snapshot: () => ({ byKind: { ...byKind }, refusedByKind: { ...refusedByKind } }),
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The counts between two snapshots. */
export function tableDelta(before: TableCounts, after: TableCounts): TableCounts {
  const byKind = zero();
  const refusedByKind = zero();
  for (const kind of TABLE_OP_KINDS) {
    byKind[kind] = after.byKind[kind] - before.byKind[kind];
    refusedByKind[kind] = after.refusedByKind[kind] - before.refusedByKind[kind];
  }
  return { byKind, refusedByKind };
}

export function totalOps(counts: TableCounts): number {
  return TABLE_OP_KINDS.reduce((sum, kind) => sum + counts.byKind[kind], 0);
}

function classify(req: IncomingMessage): TableOpKind {
  const path = (req.url ?? "").split("?")[0] ?? "";
  const last = path.slice(path.lastIndexOf("/") + 1);
  switch (req.method) {
    case "GET":
      return last.includes("(PartitionKey=") ? "read" : "query";
    case "POST":
      if (last === "$batch") return "batch";
      return last === "Tables" ? "createTable" : "insert";
    case "PUT":
      return "replace";
    case "MERGE":
    case "PATCH":
      return "merge";
    case "DELETE":
      return "delete";
    default:
      return "query";
  }
}

function zero(): Record<TableOpKind, number> {
  return {
    read: 0,
    query: 0,
    insert: 0,
    replace: 0,
    merge: 0,
    delete: 0,
    batch: 0,
    createTable: 0,
  };
}
