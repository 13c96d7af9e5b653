import type { Route } from "./route.js";
import { param } from "./route.js";

/** #6–#8: connection exists, close a connection, remove it from all groups. */
export const connectionRoutes: Route[] = [
  {
    method: "HEAD",
    path: "/connections/{connectionId}",
    handle: (request) => ({
      status: request.hub.connections.has(param(request, "connectionId")) ? 200 : 404,
    }),
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
