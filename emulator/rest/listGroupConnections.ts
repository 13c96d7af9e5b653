import { badRequest } from "./RestError.js";
import { param, type RestRequest, type RestResult } from "./route.js";
import { requireGroup } from "./validateNames.js";

const DEFAULT_PAGE_SIZE = 100;

/** #11: one page of a group's members, ordered by connection id; `nextLink` for the rest. */
export function listGroupConnections(request: RestRequest): RestResult {
  const group = requireGroup(param(request, "group"));
  const pageSize = positiveInt(request.query.get("maxpagesize"), DEFAULT_PAGE_SIZE, 200);
  const top = positiveInt(request.query.get("top"), Number.MAX_SAFE_INTEGER);
  const after = request.query.get("continuationToken") ?? "";
  const members = request.hub
    .members(group)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((connection) => connection.id > after);
  const count = Math.min(pageSize, top);
  const page = members.slice(0, count);
  const value = page.map((connection) =>
    connection.userId === undefined
      ? { connectionId: connection.id }
      : { connectionId: connection.id, userId: connection.userId },
  );
  const last = page.at(-1);
  const remainingTop = top - page.length;
  if (!last || members.length <= page.length || remainingTop <= 0)
    return { status: 200, body: { value } };
  const next = new URL(request.url, request.origin);
  next.searchParams.set("continuationToken", last.id);
  if (request.query.has("top")) next.searchParams.set("top", String(remainingTop));
  return { status: 200, body: { value, nextLink: next.toString() } };
}

function positiveInt(
  value: string | null,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === null) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw badRequest(`'${value}' is not a valid page size or top.`);
  }
  return number;
}
