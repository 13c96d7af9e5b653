import type { HttpRequest } from "@azure/functions";
import type { Principal } from "../../shared/admin/authorizeAdmin.js";
import { handleAdmin } from "../../shared/admin/handleAdmin.js";
import { jsonResponse } from "../../shared/protocol/eventResponse.js";
import { readLimitedBody } from "../adapter/readLimitedBody.js";
import { toHttpResponse } from "../adapter/toHttpResponse.js";
import { withErrorBoundary } from "../adapter/withErrorBoundary.js";

/** The admin API, its errors answered as `{"error":{"code","message"}}`. */
export const adminHandler = withErrorBoundary(async (request, runtime, log) => {
  const response = await handleAdmin(
    {
      method: request.method.toUpperCase(),
      rawPath: rawAdminPath(request.url),
      query: request.query,
      contentType: request.headers.get("content-type") ?? undefined,
      principal: principalOf(request),
      readBody: async (maxBytes) => await readLimitedBody(request, maxBytes),
    },
    runtime,
    log,
  );
  return toHttpResponse(
    response.body === undefined
      ? { status: response.status }
      : jsonResponse(response.status, response.body),
  );
}, "json");

/**
 * The path after `admin/`, as the request line sent it: route values are not used, so each
 * segment is percent-decoded exactly once, by the router.
 */
function rawAdminPath(url: string): string {
  const { pathname } = new URL(url);
  const at = pathname.toLowerCase().indexOf("/admin");
  return at === -1 ? "" : pathname.slice(at + "/admin".length);
}

/** A malformed principal header set counts as no principal, never as a server error. */
function principalOf(request: HttpRequest): Principal | undefined {
  try {
    const user = request.user;
    if (user === null || typeof user.id !== "string" || user.id === "") return undefined;
    return { id: user.id, claims: user.claimsPrincipalData };
  } catch {
    return undefined;
  }
}
