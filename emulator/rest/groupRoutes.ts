import { connectionNotExisted } from "./RestError.js";
import type { Route } from "./route.js";
import { notExisted, param } from "./route.js";
import { listGroupConnections } from "./listGroupConnections.js";
import { requireGroup } from "./validateNames.js";

/** #9, #11–#13: group exists, list its connections, add/remove a connection. */
export const groupRoutes: Route[] = [
  {
    method: "HEAD",
    path: "/groups/{group}",
    handle: (request) =>
      request.hub.hasGroup(requireGroup(param(request, "group")))
        ? { status: 200 }
        : notExisted("Warning.Group.NotExisted"),
  },
  {
    method: "GET",
    path: "/groups/{group}/connections",
    handle: listGroupConnections,
  },
  {
    method: "PUT",
    path: "/groups/{group}/connections/{connectionId}",
    handle: (request) => {
      const group = requireGroup(param(request, "group"));
      const connectionId = param(request, "connectionId");
      const connection = request.hub.connections.get(connectionId);
      if (!connection) throw connectionNotExisted("Error.Connection.NotExisted", connectionId);
      request.hub.join(connection, group);
      return { status: 200 };
    },
  },
  {
    method: "DELETE",
    path: "/groups/{group}/connections/{connectionId}",
    handle: (request) => {
      const group = requireGroup(param(request, "group"));
      const connection = request.hub.connections.get(param(request, "connectionId"));
      if (connection) request.hub.leave(connection, group);
      return { status: 204 };
    },
  },
];
