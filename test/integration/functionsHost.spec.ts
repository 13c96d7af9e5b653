import { app, HttpRequest, HttpResponse, type HttpHandler } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFunctionsHost, type RunningHost } from "../../dev/functionsHost.js";
import { loadApp } from "../../dev/loadApp.js";
import { LocalHttpRequest } from "../../dev/localHttpRequest.js";
import type { HttpRoute } from "../../dev/routeTable.js";

const route = (name: string, path: string, methods: string[], handler: HttpHandler): HttpRoute => ({
  name,
  route: path,
  methods,
  pattern: new RegExp(`^/${path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}/?$`, "i"),
  handler,
});

describe("local Functions host", () => {
  let host: RunningHost;
  const lines: string[] = [];
  beforeAll(async () => {
    host = await startFunctionsHost({
      port: 0,
      log: (line) => lines.push(line),
      routes: [
        route("echo", "api/echo/{name}", ["POST"], async (request) => ({
          status: 201,
          headers: { "x-name": request.params.name ?? "", "x-q": request.query.get("q") ?? "" },
          body: new Uint8Array(await request.arrayBuffer()),
        })),
        route("json", "api/json", ["GET"], () => new HttpResponse({ jsonBody: { ok: true } })),
        route("boom", "api/boom", ["GET"], () => {
          throw new Error("boom");
        }),
      ],
    });
  });
  afterAll(async () => await host.close());

  it("When a registered route is called, then params, query and body reach the handler and the answer comes back with a length", async () => {
    const response = await fetch(`${host.url}/api/echo/al%20ice?q=1`, {
      method: "POST",
      body: "payload",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-name")).toBe("al ice");
    expect(response.headers.get("x-q")).toBe("1");
    expect(response.headers.get("content-length")).toBe("7");
    expect(await response.text()).toBe("payload");
    expect(lines.some((line) => /POST \/api\/echo\/al%20ice\?q=1 -> 201/.test(line))).toBe(true);
  });

  it("When a handler answers with an HttpResponse, then the library's serialisation is used", async () => {
    const response = await fetch(`${host.url}/api/json`);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("When no route or method matches, then 404; when a handler throws, then 500 and the host keeps serving", async () => {
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/json`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${host.url}/api/boom`)).status).toBe(500);
    expect((await fetch(`${host.url}/api/json`)).status).toBe(200);
  });
});

describe("LocalHttpRequest", () => {
  const init = () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: "aad" })).toString("base64");
    return {
      headers: {
        "content-type": "text/plain",
        "x-ms-client-principal": principal,
        "x-ms-client-principal-id": "id-1",
        "x-ms-client-principal-name": "name",
        "x-ms-client-principal-idp": "aad",
      },
      url: "http://localhost:7071/api/x?a=1&b=2",
    };
  };

  it("When built from the same request, then it reads like the library's HttpRequest", async () => {
    const { headers, url } = init();
    const library = new HttpRequest({
      method: "POST",
      url,
      headers,
      params: { p: "v" },
      body: { string: "héllo" },
    });
    const local = new LocalHttpRequest(
      "POST",
      new URL(url),
      new Headers(headers),
      { p: "v" },
      Buffer.from("héllo"),
    );
    expect(local.method).toBe(library.method);
    expect(local.url).toBe(library.url);
    expect([...local.query]).toEqual([...library.query]);
    expect(local.params).toEqual(library.params);
    expect(Object.fromEntries(local.headers)).toEqual(Object.fromEntries(library.headers));
    expect(local.user).toEqual(library.user);
    expect(await local.text()).toBe(await library.text());
    expect(local.bodyUsed).toBe(true);
    await expect(local.text()).rejects.toThrow(/already been read/);
  });

  it("When the body is read as a stream, then it holds the same bytes", async () => {
    const { headers, url } = init();
    const local = new LocalHttpRequest(
      "POST",
      new URL(url),
      new Headers(headers),
      {},
      Buffer.from([1, 2, 3]),
    );
    const reader = (local.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect([...(first.value ?? [])]).toEqual([1, 2, 3]);
    expect((await reader.read()).done).toBe(true);
  });
});

describe("local Functions host, for an app that asked for HTTP streams", () => {
  let host: RunningHost;
  let routes: HttpRoute[];
  const lines: string[] = [];
  beforeAll(async () => {
    ({ routes } = await loadApp(
      () => {
        app.setup({ enableHttpStream: true });
        app.http("streamEcho", {
          route: "stream/{name}",
          methods: ["POST"],
          handler: async (request) => {
            const reader = (request.body as ReadableStream<Uint8Array>).getReader();
            const chunks: Uint8Array[] = [];
            for (let read = await reader.read(); !read.done; read = await reader.read()) {
              chunks.push(read.value);
            }
            return {
              status: 201,
              headers: {
                "x-name": request.params.name ?? "",
                "x-q": request.query.get("q") ?? "",
                "x-type": request.headers.get("content-type") ?? "",
              },
              body: Buffer.concat(chunks),
            };
          },
        });
        app.http("streamText", {
          route: "stream-text",
          methods: ["POST"],
          handler: async (request) => ({
            jsonBody: { text: await request.text(), user: request.user?.id ?? null },
          }),
        });
        app.http("streamBoom", {
          route: "stream-boom",
          methods: ["GET"],
          handler: () => {
            throw new Error("boom");
          },
        });
        return Promise.resolve();
      },
      () => undefined,
    ));
    host = await startFunctionsHost({
      port: 0,
      routes,
      maxBodyBytes: 1024,
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => await host.close());

  it("When the library is asked for its capabilities, then it names its HTTP proxy and every route goes through it", () => {
    expect(routes).toHaveLength(3);
    for (const route of routes) expect(route.proxy?.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(() => app.setup({ enableHttpStream: false })).toThrow(/can't be changed/);
  });

  it("When a route is called, then params, query, headers and the streamed body reach the handler and its answer comes back", async () => {
    const response = await fetch(`${host.url}/api/stream/al%20ice?q=1`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "payload",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-name")).toBe("al ice");
    expect(response.headers.get("x-q")).toBe("1");
    expect(response.headers.get("x-type")).toBe("text/plain");
    expect(await response.text()).toBe("payload");
  });

  it("When a handler reads the body whole and answers JSON, then text(), the user from the principal headers and jsonBody work through the proxy", async () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [] })).toString(
      "base64",
    );
    const response = await fetch(`${host.url}/api/stream-text`, {
      method: "POST",
      headers: {
        "x-ms-client-principal": principal,
        "x-ms-client-principal-id": "id-1",
        "x-ms-client-principal-name": "name",
        "x-ms-client-principal-idp": "aad",
      },
      body: "héllo",
    });
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ text: "héllo", user: "id-1" });
  });

  it("When a handler throws, then the host answers 500 for the library, which sends nothing", async () => {
    const response = await fetch(`${host.url}/api/stream-boom`);
    expect(response.status).toBe(500);
    expect(lines.some((line) => /host error: boom/.test(line))).toBe(true);
  });

  it("When a body passes the host's limit, then 413 from the host, declared or not", async () => {
    const declared = await fetch(`${host.url}/api/stream/x`, {
      method: "POST",
      body: "y".repeat(2048),
    });
    expect(declared.status).toBe(413);
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        controller.enqueue(new Uint8Array(512));
      },
    });
    const streamed = await fetch(`${host.url}/api/stream/x`, {
      method: "POST",
      body,
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
    expect(await streamed.text()).toBe("request body too large");
  });
});
