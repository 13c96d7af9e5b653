import { signClientToken } from "../auth/signClientToken.js";
import { badRequest } from "./RestError.js";
import type { Route } from "./route.js";

/** #25: `:generateToken` — a client access token for the hub. */
export const tokenRoute: Route = {
  method: "POST",
  path: "/:generateToken",
  handle: (request, context) => {
    const minutes = Number(request.query.get("minutesToExpire") ?? "60");
    if (!Number.isFinite(minutes) || minutes < 1) {
      throw badRequest("minutesToExpire must be at least 1.");
    }
    const clientType = (request.query.get("clientType") ?? "default").toLowerCase();
    const path =
      clientType === "mqtt"
        ? "clients/mqtt/hubs"
        : clientType === "socketio"
          ? "clients/socketio/hubs"
          : "client/hubs";
    const token = signClientToken(context.clientTokenKeys[0], {
      audience: `${request.origin}/${path}/${request.hub.name}`,
      userId: request.query.get("userId") ?? undefined,
      roles: request.query.getAll("role"),
      groups: request.query.getAll("group"),
      minutesToExpire: minutes,
    });
    return { status: 200, body: { token } };
  },
};
