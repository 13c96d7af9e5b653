import type { ClientConnection } from "../core/ClientConnection.js";
import { compileFilter } from "./odataFilter.js";
import { invalidFilter } from "./RestError.js";
import type { RestRequest } from "./route.js";

/** Applies the `excluded` (repeatable) and OData `filter` query parameters to candidates. */
export function selectConnections(
  candidates: readonly ClientConnection[],
  request: RestRequest,
): ClientConnection[] {
  const excluded = new Set(request.query.getAll("excluded"));
  const filter = request.query.get("filter");
  const predicate =
    filter === null || filter.trim() === "" ? () => true : compile(filter, "filter");
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

/** Compiles a filter; `target` names it in the error (`filter` in the query, `Filter` in a body). */
export function compile(filter: string, target: string): ReturnType<typeof compileFilter> {
  try {
    return compileFilter(filter);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidFilter(filter, reason, target);
  }
}
