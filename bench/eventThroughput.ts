import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "./loadGenerator.js";
import { firstJsonLine, spawnPinned, stop } from "./processes.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_CORE = 0;
const LOAD_CORE = 1;

export interface ThroughputRow extends LoadResult {
  readonly server: string;
}

const SERVERS = [
  { name: "bare Node server (204)", script: "servers/bareServer.js", path: "/api/events/message" },
  {
    name: "@azure/web-pubsub-express",
    script: "servers/expressHandler.js",
    path: "/api/events/message",
  },
  {
    name: "Switchboard via local host",
    script: "servers/localHost.js",
    path: "/api/events/message",
  },
];

/**
 * Signed `message` events per second, p50 and p99, against three servers in turn, each on its
 * own core with the same load generator on the other core. A short warm-up run is discarded.
 */
export async function eventThroughput(seconds: number): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const server of SERVERS) {
    const child = spawnPinned(SERVER_CORE, path.join(here, server.script));
    try {
      const { port } = await firstJsonLine<{ port: number }>(child);
      const url = `http://127.0.0.1:${port}${server.path}`;
      await load(url, 1);
      rows.push({ server: server.name, ...(await load(url, seconds)) });
    } finally {
      await stop(child);
    }
  }
  return rows;
}

async function load(url: string, seconds: number): Promise<LoadResult> {
  const generator = spawnPinned(LOAD_CORE, path.join(here, "loadGenerator.js"), [
    url,
    String(seconds),
  ]);
  return await firstJsonLine<LoadResult>(generator);
}
