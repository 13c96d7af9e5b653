import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import type { RestRequest, RestResult, Route } from "./route.js";
import { param } from "./route.js";
import { requireGroup } from "./validateNames.js";

/** #10, #15, #19: close the connections of a group, of a user, of the hub (with `excluded`). */
export const closeRoutes: Route[] = [
  {
    method: "POST",
    path: "/:closeConnections",
    handle: (request, context) => closeAll(request, context, request.hub.all()),
  },
  {
    method: "POST",
    path: "/users/{userId}/:closeConnections",
    handle: (request, context) =>
      closeAll(request, context, request.hub.ofUser(param(request, "userId"))),
  },
  {
    method: "POST",
    path: "/groups/{group}/:closeConnections",
    handle: (request, context) =>
      closeAll(request, context, request.hub.members(requireGroup(param(request, "group")))),
  },
];

function closeAll(
  request: RestRequest,
  context: EmulatorContext,
  targets: readonly ClientConnection[],
): RestResult {
  const excluded = new Set(request.query.getAll("excluded"));
  const reason = request.query.get("reason") ?? "Closed by the server.";
  for (const connection of targets) {
    if (!excluded.has(connection.id)) context.connections.close(connection, reason);
  }
  return { status: 204 };
}
