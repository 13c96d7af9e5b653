import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFunctionsHost, type RunningHost } from "../../dev/functionsHost.js";
import { loadApp } from "../../dev/loadApp.js";
import type { HttpRoute } from "../../dev/routeTable.js";
import { MAX_EVENT_BODY_BYTES } from "../../shared/events/eventRoutes.js";
import { TestApp } from "../fixtures/testApp.js";

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../functions");
const MiB = 1024 * 1024;
const HUGE = 64 * MiB;

interface Upload {
  /** The answer's status, or 0 when the connection closed without one. */
  readonly status: number;
  /** The answer's body. */
  readonly reason: string;
  /** Bytes the client handed to its socket (some may never have left the kernel's buffers). */
  readonly sent: number;
  /** Bytes the local host (the Functions host's part) read from the client's connection. */
  readonly hostRead: number;
  /** Bytes the library's HTTP proxy (the worker's part) read from the host's connection. */
  readonly workerRead: number;
  /** Largest growth of the process's ArrayBuffer memory, where sockets put what they read. */
  readonly memoryGrowth: number;
}

describe("an event body over the limit, served by the local host", () => {
  const app = new TestApp();
  const saved = { ...process.env };
  const limit = MAX_EVENT_BODY_BYTES;
  // Every request a Node HTTP server in this process starts: the host's and the library's proxy's.
  const serverRequests: { headers: IncomingMessage["headers"]; socket: Socket }[] = [];
  const onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    serverRequests.push({ headers: request.headers, socket: request.socket });
  };
  let host: RunningHost;
  let routes: HttpRoute[];

  beforeAll(async () => {
    const settings = { SWITCHBOARD_ECHO_RAW_FRAMES: "true" };
    await app.start(settings);
    // The start hook reads the settings from the environment, as under the Functions host.
    Object.assign(process.env, app.env(settings));
    ({ routes } = await loadApp(
      async () => {
        for (const file of (await readdir(functionsDir)).filter((name) => name.endsWith(".ts"))) {
          await import(pathToFileURL(path.join(functionsDir, file)).href);
        }
      },
      () => undefined,
    ));
    host = await startFunctionsHost({ port: 0, routes, log: () => undefined });
    subscribe("http.server.request.start", onRequest);
  });
  afterAll(async () => {
    unsubscribe("http.server.request.start", onRequest);
    await host.close();
    await app.stop();
    process.env = saved;
  });

  /**
   * POSTs a signed `message` event of `size` bytes (one 64 KiB chunk, reused), framed chunked or
   * by `contentLength` (which may lie), written only as fast as the connection takes it and not
   * after the answer has begun. Resolves once the connection is closed.
   */
  async function upload(size: number, framing: { contentLength?: number }): Promise<Upload> {
    const event = app.event({ event: "message", contentType: "application/octet-stream" });
    const headers: Record<string, string> = Object.fromEntries(event.headers);
    if (framing.contentLength === undefined) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = String(framing.contentLength);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    serverRequests.length = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    let status = 0;
    let reason = "";
    let sent = 0;
    const hostSide = new Promise<Socket>((resolve) => host.server.once("connection", resolve));
    const request = httpRequest(`${host.url}/api/events/message`, {
      method: "POST",
      headers,
      agent: false,
    });
    const closed = new Promise<void>((resolve) => request.once("close", () => resolve()));
    request.on("error", () => undefined);
    request.on("response", (response) => {
      status = response.statusCode ?? 0;
      response.on("data", (data: Buffer) => (reason += data.toString("utf8")));
      response.on("error", () => undefined);
    });
    request.flushHeaders();
    const pump = () => {
      while (status === 0 && !request.destroyed && sent < size) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!request.write(piece)) return void request.once("drain", pump);
      }
      if (status === 0 && !request.destroyed && sent === size && size > 0) request.end();
    };
    pump();
    await closed;
    const hostSocket = await hostSide;
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    const proxied = serverRequests.find((started) => started.headers["x-ms-invocation-id"]);
    return {
      status,
      reason,
      sent,
      hostRead: hostSocket.bytesRead,
      workerRead: proxied?.socket.bytesRead ?? 0,
      memoryGrowth: peak - baseline,
    };
  }

  it("When the app is loaded, then it has asked for HTTP streams and its routes go through the library's HTTP proxy", () => {
    expect(routes.filter((route) => route.proxy === undefined)).toEqual([]);
    expect(routes.find((route) => route.name === "events")?.proxy?.url).toMatch(
      /^http:\/\/localhost:\d+\/$/,
    );
  });

  it("When a small frame is sent through the proxy, then headers, route and body reach the function and its answer comes back", async () => {
    const raw = await app.client();
    const request = app.event({
      event: "message",
      connectionId: raw.connectionId,
      userId: raw.userId,
      contentType: "application/octet-stream",
      body: new Uint8Array([0, 1, 2, 254, 255]),
    });
    const response = await fetch(`${host.url}/api/events/message`, {
      method: "POST",
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0, 1, 2, 254, 255]);
  });

  it("When a 64 MiB body is sent chunked without a length, then 413 once the worker's side has read little more than the limit and the host a few MiB, and memory grows by far less than the body", async () => {
    const result = await upload(HUGE, {});
    expect(result.status).toBe(413);
    expect(result.reason).toBe(`request bodies are limited to ${limit} bytes`);
    expect(result.workerRead).toBeLessThan(limit + MiB);
    expect(result.hostRead).toBeLessThan(limit + 8 * MiB);
    expect(result.memoryGrowth).toBeLessThan(16 * MiB);
  });

  it("When a body declares a length over the function's limit, then the function answers 413 before any of it is sent", async () => {
    const result = await upload(0, { contentLength: 2 * MiB });
    expect(result.status).toBe(413);
    expect(result.reason).toBe(`request bodies are limited to ${limit} bytes`);
  });

  it("When a body declares a length over the host's limit, then the host answers 413 before any of it is sent", async () => {
    const result = await upload(0, { contentLength: HUGE });
    expect(result.status).toBe(413);
    expect(result.reason).toBe("request body too large");
    expect(result.workerRead).toBe(0);
  });

  it("When a body declares 1 MiB but goes on for 64 MiB, then the body ends at the declared length and what follows is refused unread", async () => {
    const result = await upload(HUGE, { contentLength: MiB });
    expect(result.status).toBe(400);
    expect(result.hostRead).toBeLessThan(2 * MiB);
    expect(result.memoryGrowth).toBeLessThan(16 * MiB);
  });
});
