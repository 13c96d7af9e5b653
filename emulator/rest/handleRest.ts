import type { IncomingMessage, ServerResponse } from "node:http";
import { acceptedHosts, restAudiences } from "../auth/audiences.js";
import { bearerToken, verifyToken } from "../auth/verifyToken.js";
import { isValidHub } from "../core/names.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { readBody } from "./readBody.js";
import { RestError } from "./RestError.js";
import { matchPath, type RestResult } from "./route.js";
import { routes } from "./routes.js";

/** Serves `/api/...`: health, then the authenticated data-plane operations. */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  const method = req.method ?? "GET";
  try {
    const result = await dispatch(req, method, context);
    respond(res, method, result);
    context.log(`REST ${method} ${(req.url ?? "").split("?")[0] ?? ""} -> ${result.status}`);
  } catch (error) {
    const failure =
      error instanceof RestError
        ? error
        : new RestError(500, "InternalServerError", "The emulator failed to handle the request.");
    if (!(error instanceof RestError)) {
      context.log(`REST ${method} ${req.url ?? ""} failed: ${String(error)}`);
    }
    res.setHeader("x-ms-error-code", failure.code);
    respond(res, method, {
      status: failure.status,
      body: { code: failure.code, message: failure.message },
    });
  }
}

async function dispatch(
  req: IncomingMessage,
  method: string,
  context: EmulatorContext,
): Promise<RestResult> {
  const host = req.headers.host ?? "localhost";
  const rawUrl = req.url ?? "/";
  const url = parseRequestUrl(rawUrl, host);
  if (url === undefined)
    throw new RestError(400, "BadRequest", "The Host header or the URL is malformed.");
  const segments = url.pathname.split("/").slice(1).map(decodeSegment);
  if (segments.length === 2 && segments[1]?.toLowerCase() === "health") {
    return { status: method === "HEAD" || method === "GET" ? 200 : 405 };
  }
  const [api, hubs, hubName, ...rest] = segments;
  if (api?.toLowerCase() !== "api" || hubs?.toLowerCase() !== "hubs" || hubName === undefined) {
    throw new RestError(404, "NotFound", `No operation at ${url.pathname}.`);
  }
  const token = bearerToken(req.headers.authorization);
  if (token === undefined) throw new RestError(401, "Unauthorized", "A bearer token is required.");
  const verdict = verifyToken(token, context.accessKeys, {
    audiences: restAudiences(acceptedHosts(host, context.host), rawUrl),
  });
  if (!verdict.ok) throw new RestError(401, "Unauthorized", `Invalid token: ${verdict.reason}.`);
  if (!isValidHub(hubName))
    throw new RestError(400, "InvalidHubName", `Invalid hub name '${hubName}'.`);

  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, rest) }))
    .filter((entry) => entry.params !== undefined);
  const match = candidates.find((entry) => entry.route.method === method);
  if (!match?.params) {
    if (candidates.length > 0)
      throw new RestError(405, "MethodNotAllowed", `${method} is not allowed here.`);
    throw new RestError(404, "NotFound", `No operation at ${url.pathname}.`);
  }
  const body = await readBody(req);
  return await match.route.handle(
    {
      hub: context.hubs.get(hubName),
      params: match.params,
      query: url.searchParams,
      contentType: req.headers["content-type"],
      body,
      origin: `http://${host}`,
      url: rawUrl,
    },
    context,
  );
}

function respond(res: ServerResponse, method: string, result: RestResult): void {
  res.statusCode = result.status;
  if (result.body === undefined || method === "HEAD") {
    res.end();
    return;
  }
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(result.body));
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseRequestUrl(rawUrl: string, host: string): URL | undefined {
  try {
    return new URL(rawUrl, `http://${host}`);
  } catch {
    return undefined;
  }
}
