import type { ClientConnection } from "../core/ClientConnection.js";
import { isValidGroup } from "../core/names.js";
import { badRequest } from "./RestError.js";
import type { RestRequest, Route } from "./route.js";
import { compile } from "./selectConnections.js";

/** #20–#21: add or remove the connections that match a filter to or from groups. */
export const bulkGroupRoutes: Route[] = [
  {
    method: "POST",
    path: "/:addToGroups",
    handle: (request) => {
      const { groups, matches } = readBody(request);
      for (const connection of request.hub.all().filter(matches)) {
        for (const group of groups) request.hub.join(connection, group);
      }
      return { status: 200 };
    },
  },
  {
    method: "POST",
    path: "/:removeFromGroups",
    handle: (request) => {
      const { groups, matches } = readBody(request);
      for (const connection of request.hub.all().filter(matches)) {
        for (const group of groups) request.hub.leave(connection, group);
      }
      return { status: 200 };
    },
  },
];

function readBody(request: RestRequest): {
  groups: string[];
  matches: (connection: ClientConnection) => boolean;
} {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString("utf8"));
  } catch {
    throw badRequest("The body must be JSON {groups, filter}.");
  }
  const { groups, filter } = (body ?? {}) as { groups?: unknown; filter?: unknown };
  if (!Array.isArray(groups) || !groups.every(isValidGroup)) {
    throw badRequest("`groups` must be a list of valid group names.");
  }
  if (filter !== undefined && filter !== null && typeof filter !== "string") {
    throw badRequest("`filter` must be a string.");
  }
  const predicate =
    typeof filter === "string" && filter.trim() !== "" ? compile(filter, "Filter") : () => true;
  return {
    groups,
    matches: (connection: ClientConnection) =>
      predicate({
        connectionId: connection.id,
        userId: connection.userId,
        groups: connection.groups,
        protocol: connection.subprotocol,
      }),
  };
}
