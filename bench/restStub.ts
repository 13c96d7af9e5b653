import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RestStub {
  readonly endpoint: string;
  /** REST calls answered so far, by `METHOD path` without the query. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Stands in for the service's REST API under load: answers every call as the service answers a
 * successful one (202 for sends, 200 otherwise) without checking its token, so the figure is
 * the app's own cost. Runs in the bench runner's process, on the load generator's core.
 */
export async function startRestStub(): Promise<RestStub> {
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const key = `${req.method ?? "?"} ${(req.url ?? "").split("?")[0] ?? ""}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      res.writeHead(req.url?.includes(":send") === true ? 202 : 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
