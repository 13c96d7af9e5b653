import { AdminError } from "./adminError.js";

/** Every operation of the admin API. */
export type AdminAction =
  | "sendToAll"
  | "sendToUser"
  | "sendToGroup"
  | "sendToConnection"
  | "addUserToGroup"
  | "removeUserFromGroup"
  | "addConnectionToGroup"
  | "removeConnectionFromGroup"
  | "removeUserFromAllGroups"
  | "removeConnectionFromAllGroups"
  | "closeAll"
  | "closeUser"
  | "closeGroup"
  | "closeConnection"
  | "grantPermission"
  | "revokePermission"
  | "checkPermission"
  | "getUser"
  | "getGroup"
  | "getConnection";

type Method = "GET" | "PUT" | "POST" | "DELETE";

/** The routes under `api/admin/`; `{name}` is one path segment, percent-decoded once. */
export const ADMIN_ROUTES: readonly { method: Method; path: string; action: AdminAction }[] = [
  { method: "POST", path: "send", action: "sendToAll" },
  { method: "POST", path: "users/{user}/send", action: "sendToUser" },
  { method: "POST", path: "groups/{group}/send", action: "sendToGroup" },
  { method: "POST", path: "connections/{connectionId}/send", action: "sendToConnection" },
  { method: "PUT", path: "groups/{group}/users/{user}", action: "addUserToGroup" },
  { method: "DELETE", path: "groups/{group}/users/{user}", action: "removeUserFromGroup" },
  {
    method: "PUT",
    path: "groups/{group}/connections/{connectionId}",
    action: "addConnectionToGroup",
  },
  {
    method: "DELETE",
    path: "groups/{group}/connections/{connectionId}",
    action: "removeConnectionFromGroup",
  },
  { method: "DELETE", path: "users/{user}/groups", action: "removeUserFromAllGroups" },
  {
    method: "DELETE",
    path: "connections/{connectionId}/groups",
    action: "removeConnectionFromAllGroups",
  },
  { method: "POST", path: "close", action: "closeAll" },
  { method: "POST", path: "users/{user}/close", action: "closeUser" },
  { method: "POST", path: "groups/{group}/close", action: "closeGroup" },
  { method: "POST", path: "connections/{connectionId}/close", action: "closeConnection" },
  {
    method: "PUT",
    path: "connections/{connectionId}/permissions/{permission}",
    action: "grantPermission",
  },
  {
    method: "DELETE",
    path: "connections/{connectionId}/permissions/{permission}",
    action: "revokePermission",
  },
  {
    method: "GET",
    path: "connections/{connectionId}/permissions/{permission}",
    action: "checkPermission",
  },
  { method: "GET", path: "users/{user}", action: "getUser" },
  { method: "GET", path: "groups/{group}", action: "getGroup" },
  { method: "GET", path: "connections/{connectionId}", action: "getConnection" },
];

export interface RouteMatch {
  readonly action: AdminAction;
  /** The named segments, decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * The path after `admin/` as it arrived (still percent-encoded), split into segments that are
 * each decoded exactly once: `%2F` stays inside its segment as `/`, `%252F` becomes `%2F`.
 */
export function decodeSegments(rawPath: string): string[] {
  const trimmed = rawPath.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  return trimmed.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new AdminError(400, "bad_request", "a path segment is not valid percent-encoding");
    }
  });
}

/** The route for a method and decoded segments; 404 for no path, 405 for another method. */
export function matchAdminRoute(method: string, segments: readonly string[]): RouteMatch {
  const allowed: Method[] = [];
  for (const route of ADMIN_ROUTES) {
    const params = matchPath(route.path, segments);
    if (params === undefined) continue;
    if (route.method === method) return { action: route.action, params };
    allowed.push(route.method);
  }
  if (allowed.length === 0) {
    throw new AdminError(404, "not_found", "no admin route has this path");
  }
  throw new AdminError(405, "method_not_allowed", `this path takes ${allowed.join(", ")}`, {
    Allow: allowed.join(", "),
  });
}

function matchPath(path: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = path.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith("{")) {
      if (segment === "") return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
