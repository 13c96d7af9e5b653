import type { Origin } from "../core/ClientConnection.js";
import type { ClientConnection } from "../core/ClientConnection.js";
import type { EmulatorContext } from "../EmulatorContext.js";
import { payloadFromHttp, type Payload } from "../core/payload.js";
import { badRequest } from "./RestError.js";
import { param, type RestRequest, type RestResult, type Route } from "./route.js";
import { selectConnections } from "./selectConnections.js";
import { requireGroup } from "./validateNames.js";

/** #2–#5: send to everyone, a user, a connection, a group. All answer 202. */
export const sendRoutes: Route[] = [
  {
    method: "POST",
    path: "/:send",
    handle: (request, context) =>
      send(request, context, selectConnections(request.hub.all(), request), { from: "server" }),
  },
  {
    method: "POST",
    path: "/users/{userId}/:send",
    handle: (request, context) => {
      const targets = selectConnections(request.hub.ofUser(param(request, "userId")), request);
      return send(request, context, targets, { from: "server" });
    },
  },
  {
    method: "POST",
    path: "/connections/{connectionId}/:send",
    handle: (request, context) => {
      const connection = request.hub.connections.get(param(request, "connectionId"));
      return send(request, context, connection ? [connection] : [], { from: "server" });
    },
  },
  {
    method: "POST",
    path: "/groups/{group}/:send",
    handle: (request, context) => {
      const group = requireGroup(param(request, "group"));
      const targets = selectConnections(request.hub.members(group), request);
      return send(request, context, targets, { from: "group", group });
    },
  },
];

function send(
  request: RestRequest,
  context: EmulatorContext,
  targets: readonly ClientConnection[],
  origin: Origin,
): RestResult {
  const payload = readPayload(request);
  for (const connection of targets) context.connections.deliver(connection, payload, origin);
  return { status: 202 };
}

function readPayload(request: RestRequest): Payload {
  const ttl = request.query.get("messageTtlSeconds");
  if (ttl !== null && !(/^\d+$/.test(ttl) && Number(ttl) <= 300)) {
    throw badRequest("messageTtlSeconds must be 0–300.");
  }
  const payload = payloadFromHttp(request.contentType, request.body);
  if (!payload) {
    throw badRequest(
      `Content-Type '${request.contentType ?? ""}' is not supported or the body is not valid.`,
    );
  }
  return payload;
}
