import { randomUUID } from "node:crypto";
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { CoreRegistration } from "./coreApiShim.js";
import type { HttpRoute, WorkerHttpProxy } from "./routeTable.js";

// Headers that describe one connection, not the message: never forwarded across a hop.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** How much of an unread body is dropped after the answer, and for how long, before closing. */
const LINGER_BYTES = 2 * 1024 * 1024;
const LINGER_MS = 1000;

/**
 * Serves one request the way the Functions host serves an app that asked for HTTP streams: the
 * invocation reaches `@azure/functions` with no HTTP data in it (headers and route parameters
 * travel as trigger metadata), and the request itself is forwarded, its body streaming, to the
 * library's HTTP proxy with the invocation id. The library builds the `HttpRequest` from that
 * connection (`request.body` reads it as it arrives) and writes the function's answer back on
 * it; that answer is relayed to the client. Resolves with the status sent.
 */
export async function serveThroughWorker(
  req: IncomingMessage,
  res: ServerResponse,
  route: HttpRoute & { readonly proxy: WorkerHttpProxy },
  params: Readonly<Record<string, string>>,
  maxBodyBytes: number,
  log: (line: string) => void,
): Promise<number> {
  const done = new Promise<number>((resolve) => res.once("close", () => resolve(res.statusCode)));
  // A connection whose request body is left unread is closed after the answer, not drained
  // whole: what the client still sends is read and dropped for a moment (at most
  // LINGER_BYTES, LINGER_MS), so it can read the answer before the connection goes. Closed at
  // once, the client's next write would meet a reset that can discard the answer unread.
  const closeIfUnread = () => {
    if (req.complete) return;
    res.once("finish", () => {
      let dropped = 0;
      const close = () => req.socket.destroy();
      const timer = setTimeout(close, LINGER_MS);
      req.on("data", (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > LINGER_BYTES) {
          clearTimeout(timer);
          close();
        }
      });
      req.socket.once("close", () => clearTimeout(timer));
      req.resume();
    });
  };
  const fail = (status: number, reason: string) => {
    if (res.writableEnded) return;
    log(`host error: ${reason}`);
    if (!res.headersSent) {
      closeIfUnread();
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
    }
    res.end(status === 413 ? "request body too large" : "host error");
  };
  // As the Functions host, refuse a body over the host's own limit before any of it is read.
  if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) {
    fail(413, `declared body over ${maxBodyBytes} bytes`);
    return await done;
  }

  const invocationId = randomUUID();
  const bindings = route.bindings ?? {};
  const trigger = Object.entries(bindings).find(
    ([, binding]) => binding.direction === "in" && String(binding.type).endsWith("Trigger"),
  );
  const invocation = route.proxy.model.getInvocationModel({
    invocationId,
    metadata: { name: route.name, bindings },
    request: {
      invocationId,
      inputData: [{ name: trigger?.[0] ?? "request", data: { http: {} } }],
      triggerMetadata: triggerMetadata(req.headers, params),
    },
    state: undefined,
    log: (level, _category, message) => log(`[${route.name}] ${level}: ${message}`),
  });

  const relay = { started: false };
  const forward = httpRequest(new URL(req.url ?? "/", route.proxy.url), {
    method: req.method ?? "GET",
    headers: {
      ...withoutHopByHop(req.headers),
      "x-ms-invocation-id": invocationId,
      "x-forwarded-host": req.headers.host ?? "localhost",
      "x-forwarded-proto": "http",
    },
  });
  // The head goes at once: the function may answer from the headers before any body is sent.
  forward.flushHeaders();
  forward.on("response", (answer) => {
    relay.started = true;
    closeIfUnread();
    res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
    answer.pipe(res);
  });
  forward.on("error", (error) => {
    // After the answer, the proxy closing a connection whose body went unread is expected.
    if (!relay.started) fail(502, `worker proxy: ${error.message}`);
  });
  let forwarded = 0;
  req.on("data", (chunk: Buffer) => {
    forwarded += chunk.length;
    if (forwarded > maxBodyBytes && !relay.started) {
      forward.destroy();
      fail(413, `body over ${maxBodyBytes} bytes`);
    }
  });
  req.on("error", () => forward.destroy());
  req.pipe(forward);

  const invoked = (async () => {
    const { context, inputs } = await invocation.getArguments();
    const result = await invocation.invokeFunction(
      context,
      inputs,
      route.handler as CoreRegistration["handler"],
    );
    await invocation.getResponse(context, result);
  })();
  invoked.catch((error: unknown) => {
    // A function that throws gets nothing written on the proxy, as under the worker
    // (Azure/azure-functions-nodejs-library#324): the host answers for it.
    forward.destroy();
    if (!relay.started) fail(500, error instanceof Error ? error.message : String(error));
  });
  return await done;
}

/** The HTTP trigger's metadata as the host sends it when proxying: headers and route values. */
function triggerMetadata(
  headers: IncomingHttpHeaders,
  params: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const metadata: Record<string, unknown> = { Headers: { json: JSON.stringify(flat) } };
  for (const [name, value] of Object.entries(params)) metadata[name] = { string: value };
  return metadata;
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}
