import { hasPermission, isPermission, roleFor, type Permission } from "../core/permissions.js";
import { badRequest, connectionNotExisted } from "./RestError.js";
import { notExisted, param, type RestRequest, type Route } from "./route.js";

const PATH = "/permissions/{permission}/connections/{connectionId}";

/** #22–#24: grant, revoke and check a connection's permission (for one group or all). */
export const permissionRoutes: Route[] = [
  {
    method: "PUT",
    path: PATH,
    handle: (request) => {
      const { permission, target } = readPermission(request);
      const connectionId = param(request, "connectionId");
      const connection = request.hub.connections.get(connectionId);
      if (!connection) throw connectionNotExisted("Info.Connection.NotExisted", connectionId);
      connection.roles.add(roleFor(permission, target));
      return { status: 200 };
    },
  },
  {
    method: "DELETE",
    path: PATH,
    handle: (request) => {
      const { permission, target } = readPermission(request);
      request.hub.connections
        .get(param(request, "connectionId"))
        ?.roles.delete(roleFor(permission, target));
      return { status: 204 };
    },
  },
  {
    method: "HEAD",
    path: PATH,
    handle: (request) => {
      const { permission, target } = readPermission(request);
      const connection = request.hub.connections.get(param(request, "connectionId"));
      if (!connection) return notExisted("Info.Connection.NotExisted");
      return { status: hasPermission(connection.roles, permission, target) ? 200 : 404 };
    },
  },
];

function readPermission(request: RestRequest): {
  permission: Permission;
  target: string | undefined;
} {
  const name = param(request, "permission");
  const permission = ["joinLeaveGroup", "sendToGroup"].find(
    (known) => known.toLowerCase() === name.toLowerCase(),
  );
  if (permission === undefined || !isPermission(permission)) {
    throw badRequest(`Unknown permission '${name}'.`);
  }
  const target = request.query.get("targetName");
  return { permission, target: target === null || target === "" ? undefined : target };
}
