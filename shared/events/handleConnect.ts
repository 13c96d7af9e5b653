import type { ConnectRequest, ConnectResponse } from "@azure/web-pubsub-express";
import { HttpError } from "../errors.js";
import { jsonResponse, type EventResponse } from "../protocol/eventResponse.js";
import { chooseSubprotocol } from "../protocol/subprotocols.js";
import { announceAll } from "../presence/announcePresence.js";
import type { EventDeps } from "./eventDeps.js";

/**
 * Accepts or rejects a connecting client. The user id comes from the token's `sub` (which the
 * service passes as `ce-userId` and in the claims), never from the query string. `connect` is
 * the one blocking event, so it records everything a user event needs (the user, the effective
 * roles, the initial groups) before the client can send anything, and reserves one of the
 * user's connection slots when a per-user limit is set.
 */
export async function handleConnect(
  request: ConnectRequest,
  deps: EventDeps,
): Promise<EventResponse> {
  const { config, store, log } = deps;
  const { context } = request;
  const tokenUserId = context.userId ?? request.claims?.sub?.[0];
  const userId =
    tokenUserId ??
    (config.connect.allowAnonymous ? `anonymous.${context.connectionId}` : undefined);
  if (userId === undefined) {
    throw new HttpError(401, "the access token carries no user id (sub claim)");
  }

  // The token's roles (the service passes its `role` claims) and groups, plus the configured ones.
  const roles = union(request.claims?.role, config.connect.roles);
  const groups = union(request.claims?.["webpubsub.group"], config.connect.groups);
  const subprotocol = chooseSubprotocol(request.subprotocols);
  const limit = config.connect.maxConnectionsPerUser;
  const opened = await store.openConnection(
    {
      hub: context.hub,
      connectionId: context.connectionId,
      userId,
      roles,
      groups,
      subprotocol,
      connectedAt: new Date(),
    },
    limit,
  );
  switch (opened.outcome) {
    case "limit-reached":
      log.info("connection refused: per-user limit reached", { limit });
      throw new HttpError(403, `this user already has ${limit} connections, the most allowed`);
    case "gone":
      log.warn("connect refused: the connection id has already disconnected");
      throw new HttpError(403, "this connection has already disconnected");
    case "taken":
      log.warn("connect refused: the connection id is recorded for another user");
      throw new HttpError(403, "this connection id belongs to another user");
    case "opened":
      break;
  }
  // Before the answer: the service retries nothing of an answered connect.
  await announceAll(deps.service, opened.presence, log);

  const response: ConnectResponse = {
    ...(tokenUserId === undefined ? { userId } : {}),
    ...(config.connect.roles.length > 0 ? { roles } : {}),
    ...(config.connect.groups.length > 0 ? { groups } : {}),
    ...(subprotocol === undefined ? {} : { subprotocol }),
  };
  if (Object.keys(response).length === 0) return { status: 204 };
  return jsonResponse(200, response);
}

function union(fromToken: readonly string[] | undefined, configured: readonly string[]): string[] {
  return [...new Set([...(fromToken ?? []), ...configured])];
}
