import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import azureFunctions, { type HttpResponseInit } from "@azure/functions";
import { Cron } from "croner";
import { LocalHttpRequest } from "./localHttpRequest.js";
import type { HttpRoute, TimerJob } from "./routeTable.js";
import { serveThroughWorker } from "./workerProxy.js";

// The package is CommonJS; Node's ESM loader cannot see these as named exports.
const { HttpResponse, InvocationContext } = azureFunctions;
type InvocationContext = InstanceType<typeof InvocationContext>;

export interface FunctionsHostOptions {
  readonly port: number;
  readonly host?: string;
  readonly routes: readonly HttpRoute[];
  readonly timers?: readonly TimerJob[];
  readonly log: (line: string) => void;
  /**
   * Largest request body the host accepts: buffered, or forwarded to the worker's proxy (the
   * Functions host's own limit is far larger).
   */
  readonly maxBodyBytes?: number;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  /** The Node server, for tests that watch its connections. */
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * A local stand-in for the Functions host's HTTP front end: it serves the app's registered
 * routes, converting each Node request into an `HttpRequest` and `InvocationContext` and the
 * handler's answer back, and runs timer triggers on their schedules. Routes of an app that asked
 * for HTTP streams carry the worker's proxy and are forwarded to it instead, body unbuffered.
 */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<RunningHost> {
  const { routes, log } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const server = createServer((req, res) => {
    const started = performance.now();
    void serve(req, res, routes, maxBodyBytes, log).then((status) => {
      log(
        `${req.method ?? "?"} ${req.url ?? "/"} -> ${status} (${Math.round(performance.now() - started)} ms)`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const jobs = (options.timers ?? []).map(
    (job) =>
      new Cron(job.schedule, { protect: true }, async (cron: Cron) => {
        await runTimer(job, cron, log);
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    server,
    close: async () => {
      for (const job of jobs) job.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  routes: readonly HttpRoute[],
  maxBodyBytes: number,
  log: (line: string) => void,
): Promise<number> {
  try {
    // Only this machine's names: a web page whose own name was rebound to 127.0.0.1 must not
    // reach the app (and its trusted principal headers) through a visitor's browser.
    if (!isLoopbackHost(req.headers.host)) {
      return reply(res, 421, "this host answers only to localhost and loopback addresses");
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const match = findRoute(routes, method, url.pathname);
    if (!match) return reply(res, 404, "no function serves this method and path");
    const { route } = match;
    if (route.proxy !== undefined) {
      return await serveThroughWorker(
        req,
        res,
        { ...route, proxy: route.proxy },
        match.params,
        maxBodyBytes,
        log,
      );
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) return reply(res, 413, "request body too large");
    const request = new LocalHttpRequest(method, url, toHeaders(req), match.params, body);
    const context = invocationContext(match.route.name, log);
    const { status, headers, payload } = await toNodeResponse(
      // LocalHttpRequest has the public surface of HttpRequest (see its comment) without a WHATWG Request.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      await match.route.handler(request, context),
    );
    // An explicit length avoids chunked encoding, whose closing chunk may wait on a delayed ACK.
    res.writeHead(status, { ...headers, "content-length": payload.length });
    res.end(payload);
    return status;
  } catch (error) {
    log(`host error: ${error instanceof Error ? error.message : String(error)}`);
    return reply(res, 500, "host error");
  }
}

function findRoute(routes: readonly HttpRoute[], method: string, path: string) {
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (found && route.methods.includes(method)) {
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(found.groups ?? {})) {
        if (typeof value === "string") params[key] = decodeURIComponent(value);
      }
      return { route, params };
    }
  }
  return undefined;
}

async function runTimer(job: TimerJob, cron: Cron, log: (line: string) => void): Promise<void> {
  const now = new Date().toISOString();
  const timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: now, next: cron.nextRun()?.toISOString() ?? now, lastUpdated: now },
  };
  try {
    await job.handler(timer, invocationContext(job.name, log));
  } catch (error) {
    log(`timer ${job.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function invocationContext(functionName: string, log: (line: string) => void): InvocationContext {
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) =>
      log(`[${functionName}] ${level}: ${args.map(String).join(" ")}`),
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
  }
  return headers;
}

/**
 * The handler's answer as status, headers and bytes. Plain bodies (text, bytes, none) are written
 * as they are; anything else (jsonBody, streams, cookies) goes through the library's HttpResponse.
 */
async function toNodeResponse(
  result: HttpResponseInit | InstanceType<typeof HttpResponse>,
): Promise<{ status: number; headers: Record<string, string>; payload: Buffer }> {
  const body = result.body;
  const plain =
    !(result instanceof HttpResponse) &&
    result.jsonBody === undefined &&
    result.cookies === undefined &&
    (body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array);
  if (plain) {
    const payload = body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(body);
    const headers = Object.fromEntries(
      new Headers(result.headers as ConstructorParameters<typeof Headers>[0]),
    );
    if (typeof body === "string" && headers["content-type"] === undefined) {
      headers["content-type"] = "text/plain;charset=UTF-8";
    }
    return { status: result.status ?? 200, headers, payload };
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    payload: Buffer.from(await response.arrayBuffer()),
  };
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

function reply(res: ServerResponse, status: number, text: string): number {
  if (!res.headersSent) res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
  return status;
}

/** `localhost`, `127.0.0.1` or `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name === "localhost" || name === "127.0.0.1" || name === "[::1]";
}
