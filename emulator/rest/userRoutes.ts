import type { Route } from "./route.js";
import { notExisted, param } from "./route.js";
import { requireGroup } from "./validateNames.js";

/** #14, #16–#18: user exists, remove from all groups, add to / remove from a group. */
export const userRoutes: Route[] = [
  {
    method: "HEAD",
    path: "/users/{userId}",
    handle: (request) =>
      request.hub.ofUser(param(request, "userId")).length > 0
        ? { status: 200 }
        : notExisted("Warning.User.NotExisted"),
  },
  {
    method: "DELETE",
    path: "/users/{userId}/groups",
    handle: (request) => {
      for (const connection of request.hub.ofUser(param(request, "userId"))) {
        request.hub.leaveAll(connection);
      }
      return { status: 204 };
    },
  },
  {
    method: "PUT",
    path: "/users/{userId}/groups/{group}",
    handle: (request) => {
      const group = requireGroup(param(request, "group"));
      for (const connection of request.hub.ofUser(param(request, "userId"))) {
        request.hub.join(connection, group);
      }
      return { status: 200 };
    },
  },
  {
    method: "DELETE",
    path: "/users/{userId}/groups/{group}",
    handle: (request) => {
      const group = requireGroup(param(request, "group"));
      for (const connection of request.hub.ofUser(param(request, "userId"))) {
        request.hub.leave(connection, group);
      }
      return { status: 204 };
    },
  },
];
