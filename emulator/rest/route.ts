import type { EmulatorContext } from "../EmulatorContext.js";
import type { Hub } from "../core/Hub.js";

export interface RestRequest {
  readonly hub: Hub;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  /** `http://host:port` or `https://host:port`, as the caller reached the emulator. */
  readonly origin: string;
  /** Path and query as received (for nextLink). */
  readonly url: string;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The 404 of an existence check (HEAD): no body, the service's code in `x-ms-error-code`. */
export function notExisted(code: string): RestResult {
  return { status: 404, headers: { "x-ms-error-code": code } };
}

export interface Route {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** Path after `/api/hubs/{hub}`, e.g. `/groups/{group}/:send`. */
  path: string;
  handle(request: RestRequest, context: EmulatorContext): RestResult | Promise<RestResult>;
}

/** Matches decoded path segments against a route path; returns the captured parameters. */
export function matchPath(
  path: string,
  segments: readonly string[],
): Record<string, string> | undefined {
  const pattern = path.split("/").filter((part) => part !== "");
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? "";
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name !== undefined) {
      if (segment === "") return undefined;
      params[name] = segment;
    } else if (part.toLowerCase() !== segment.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** A required path parameter (the route pattern guarantees it). */
export function param(request: RestRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
}
