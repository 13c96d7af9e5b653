import type { IncomingMessage, ServerResponse } from "node:http";
import { acceptedHosts, restAudiences } from "../auth/audiences.js";
import { verifyRestToken } from "../auth/verifyRestToken.js";
import { bearerToken } from "../auth/verifyToken.js";
import { isValidHub } from "../core/names.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { readBody } from "./readBody.js";
import { applyRestFault } from "./applyRestFault.js";
import { badRequest, errorAnswer, RestError } from "./RestError.js";
import { matchPath, type RestResult } from "./route.js";
import { routes } from "./routes.js";

/** Serves `/api/...`: health, then the authenticated data-plane operations. */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  context: EmulatorContext,
): Promise<void> {
  const method = req.method ?? "GET";
  const path = (req.url ?? "").split("?")[0] ?? "";
  try {
    const plan = context.faults.planRest(method, path);
    const onHang = () => context.log(`fault: REST call hangs: ${method} ${path}`);
    const fault = plan && (await applyRestFault(plan, res, context.closed, onHang));
    if (fault === "gone") {
      context.log(`REST ${method} ${path} -> no answer (fault)`);
      return;
    }
    if (fault) throw fault;
    const result = await dispatch(req, method, context);
    respond(res, method, result);
    context.log(`REST ${method} ${path} -> ${result.status}`);
  } catch (error) {
    const failure =
      error instanceof RestError
        ? error
        : new RestError(500, "InternalServerError", "The emulator failed to handle the request.");
    if (!(error instanceof RestError)) {
      context.log(`REST ${method} ${req.url ?? ""} failed: ${String(error)}`);
    }
    context.log(`REST ${method} ${path} -> ${failure.status} ${failure.code}`);
    const { contentType, body } = errorAnswer(failure);
    respond(
      res,
      method,
      { status: failure.status, body, headers: { "x-ms-error-code": failure.code } },
      contentType,
    );
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
  if (url === undefined) throw badRequest("The Host header or the URL is malformed.");
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
  const verdict = await verifyRestToken(
    token,
    context,
    restAudiences(acceptedHosts(host, context.host), rawUrl),
  );
  if (!verdict.ok) throw new RestError(401, "Unauthorized", `Invalid token: ${verdict.reason}.`);
  if (!isValidHub(hubName)) throw badRequest(`Invalid hub name '${hubName}'.`);

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
      origin: `${"encrypted" in req.socket ? "https" : "http"}://${host}`,
      url: rawUrl,
    },
    context,
  );
}

function respond(
  res: ServerResponse,
  method: string,
  result: RestResult,
  contentType = "application/json; charset=utf-8",
): void {
  res.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.body === undefined || method === "HEAD") {
    res.end();
    return;
  }
  res.setHeader("Content-Type", contentType);
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
