import type { ClientConnection } from "../core/ClientConnection.js";
import { compileFilter } from "./odataFilter.js";
import { RestError } from "./RestError.js";
import type { RestRequest } from "./route.js";

/** Applies the `excluded` (repeatable) and OData `filter` query parameters to candidates. */
export function selectConnections(
  candidates: readonly ClientConnection[],
  request: RestRequest,
): ClientConnection[] {
  const excluded = new Set(request.query.getAll("excluded"));
  const filter = request.query.get("filter");
  const predicate = filter === null || filter.trim() === "" ? () => true : compile(filter);
  return candidates.filter(
    (connection) =>
      !excluded.has(connection.id) &&
      predicate({
        connectionId: connection.id,
        userId: connection.userId,
        groups: connection.groups,
        protocol: connection.subprotocol,
      }),
  );
}

export function compile(filter: string): ReturnType<typeof compileFilter> {
  try {
    return compileFilter(filter);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RestError(400, "InvalidFilter", `Invalid filter '${filter}': ${reason}`);
  }
}
