import type { Route } from "./route.js";
import { notExisted, param } from "./route.js";

/** #6–#8: connection exists, close a connection, remove it from all groups. */
export const connectionRoutes: Route[] = [
  {
    method: "HEAD",
    path: "/connections/{connectionId}",
    handle: (request) =>
      request.hub.connections.has(param(request, "connectionId"))
        ? { status: 200 }
        : notExisted("Warning.Connection.NotExisted"),
  },
  {
    method: "DELETE",
    path: "/connections/{connectionId}",
    handle: (request, context) => {
      const connection = request.hub.connections.get(param(request, "connectionId"));
      const reason = request.query.get("reason") ?? "Closed by the server.";
      if (connection) context.connections.close(connection, reason);
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    path: "/connections/{connectionId}/groups",
    handle: (request) => {
      const connection = request.hub.connections.get(param(request, "connectionId"));
      if (connection) request.hub.leaveAll(connection);
      return { status: 204 };
    },
  },
];
