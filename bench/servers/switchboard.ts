import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import type * as Functions from "@azure/functions";
import { installCoreApi } from "../../dev/coreApiShim.js";
import { benchAppSettings } from "../benchSettings.js";
import { readBody, serveForRunner } from "./benchChild.js";

/**
 * Switchboard's built function app as the worker runs it, from the checkout whose root is the
 * first argument (this one, or another built commit's). Each request is turned into the
 * request object the worker gives a function, `@azure/functions`' own `HttpRequest` (built from
 * the method, URL, headers, route values and body the host sends), and handed to the registered
 * handler with an `InvocationContext` whose log lines are formatted as the worker formats them;
 * the handler's answer goes through the library's `HttpResponse`, as the worker reads it.
 */
const root = process.argv[2];
if (root === undefined) throw new Error("usage: switchboard <checkout root>");
// The app reads its settings from the environment, as under the worker.
Object.assign(process.env, benchAppSettings());
const registry = installCoreApi(() => undefined);
// The checkout's own copy of the library, so its app is served by the library it was built with.
const functions = createRequire(path.join(root, "package.json"))(
  "@azure/functions",
) as typeof Functions;
const entry = async (name: string): Promise<Functions.HttpHandler> => {
  const module = (await import(
    pathToFileURL(path.join(root, "dist/functions", `${name}.js`)).href
  )) as Record<string, unknown>;
  const handler = module[name];
  if (typeof handler !== "function")
    throw new Error(`${root}: functions/${name} exports no ${name}`);
  return handler as Functions.HttpHandler;
};
const events = await entry("events");
const negotiate = await entry("negotiate");
for (const hook of registry.hooks) {
  if (hook.name === "appStart") await hook.callback({ hookData: {} });
}

const server = createServer((req, res) => {
  void (async () => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://localhost:7071");
    const event = /^\/api\/events\/([^/]+)$/.exec(url.pathname)?.[1];
    const handler =
      event !== undefined ? events : url.pathname === "/api/negotiate" ? negotiate : undefined;
    if (handler === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    const request = new functions.HttpRequest({
      method: req.method ?? "GET",
      url: url.href,
      headers: flat(req.headers),
      query: Object.fromEntries(url.searchParams),
      params: event === undefined ? {} : { event },
      ...(body.length === 0 ? {} : { body: { string: body.toString("utf8") } }),
    });
    const context = new functions.InvocationContext({
      invocationId: randomUUID(),
      functionName: event === undefined ? "negotiate" : "events",
      logHandler: (_level, ...args) => void format(...args),
    });
    const answer = new functions.HttpResponse(await handler(request, context));
    const bytes = Buffer.from(await answer.arrayBuffer());
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(bytes);
  })().catch((error: unknown) => {
    console.error(error);
    res.writeHead(500);
    res.end();
  });
});
serveForRunner(server);

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  const flattened: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flattened[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flattened;
}
