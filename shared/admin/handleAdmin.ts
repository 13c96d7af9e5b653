import { withinDeadline } from "../deadline.js";
import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";
import { ADMIN_ACTIONS } from "./adminActions.js";
import type { AdminRequest, AdminResponse } from "./adminRequest.js";
import { decodeSegments, matchAdminRoute } from "./adminRoutes.js";
import { authorizeAdmin } from "./authorizeAdmin.js";

/** Longest name shown in a log line; longer ones are cut. */
const LOGGED_NAME_LENGTH = 128;

/**
 * One admin API request: the caller is checked before anything else is read, then the route
 * is matched and its action run under the request's deadline. Every action is logged at
 * information level with the caller, the action and its target (never a message body).
 */
export async function handleAdmin(
  request: AdminRequest,
  runtime: Runtime,
  log: Log,
): Promise<AdminResponse> {
  const { config } = runtime;
  const caller = authorizeAdmin(
    request.principal,
    config.negotiate.trustPrincipalHeaders,
    config.admin.role,
  );
  const { action, params } = matchAdminRoute(request.method, decodeSegments(request.rawPath));
  const target = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, value.slice(0, LOGGED_NAME_LENGTH)]),
  );
  log.info("admin action", { caller: caller.id.slice(0, LOGGED_NAME_LENGTH), action, ...target });
  return await withinDeadline(config.deadlines.eventMs, async (signal) => {
    const deps = {
      ...runtime,
      store: runtime.store.withSignal(signal),
      service: runtime.service.withSignal(signal),
      log,
      caller,
    };
    return await ADMIN_ACTIONS[action](params, request, deps);
  });
}
