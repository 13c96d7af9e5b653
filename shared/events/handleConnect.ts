import type { ConnectRequest, ConnectResponse } from "@azure/web-pubsub-express";
import { HttpError } from "../errors/httpError.js";
import { encodeConnectionState } from "../protocol/decodeConnectionState.js";
import { jsonResponse, type EventResponse } from "../protocol/eventResponse.js";
import { CONNECTION_STATE_RESPONSE_HEADER } from "../protocol/headerNames.js";
import { chooseSubprotocol } from "../protocol/subprotocols.js";
import type { EventDeps } from "./eventDeps.js";

/** Roles and groups granted at connect, carried to `connected` in the connection state. */
export interface GrantedState {
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

/**
 * Accepts or rejects a connecting client. The user id comes from the token's `sub` (which the
 * service passes as `ce-userId` and in the claims), never from the query string.
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

  const limit = config.connect.maxConnectionsPerUser;
  if (limit > 0 && (await store.countUserConnections(context.hub, userId, limit)) >= limit) {
    log.info("connection refused: per-user limit reached", {
      connectionId: context.connectionId,
      limit,
    });
    throw new HttpError(403, `this user already has ${limit} connections, the most allowed`);
  }

  const roles = union(request.claims?.role, config.connect.roles);
  const groups = union(request.claims?.["webpubsub.group"], config.connect.groups);
  const subprotocol = chooseSubprotocol(request.subprotocols);
  const response: ConnectResponse = {
    ...(tokenUserId === undefined ? { userId } : {}),
    ...(config.connect.roles.length > 0 ? { roles } : {}),
    ...(config.connect.groups.length > 0 ? { groups } : {}),
    ...(subprotocol === undefined ? {} : { subprotocol }),
  };
  const state: GrantedState = { roles, groups };
  const headers =
    roles.length > 0 || groups.length > 0
      ? { [CONNECTION_STATE_RESPONSE_HEADER]: encodeConnectionState({ ...state }) }
      : undefined;
  if (Object.keys(response).length === 0 && headers === undefined) return { status: 204 };
  return jsonResponse(200, response, headers);
}

function union(fromToken: readonly string[] | undefined, configured: readonly string[]): string[] {
  return [...new Set([...(fromToken ?? []), ...configured])];
}
