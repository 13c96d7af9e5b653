import { withinDeadline } from "../deadline.js";
import { ServiceRefusal } from "../errors.js";
import { isDotSegment } from "../service/dotSegment.js";
import type { Log } from "../log/log.js";
import type { Runtime } from "../runtime.js";
import { ADMIN_ACTIONS } from "./adminActions.js";
import { AdminError } from "./adminError.js";
import type { AdminRequest, AdminResponse } from "./adminRequest.js";
import { decodeSegments, matchAdminRoute } from "./adminRoutes.js";
import { authorizeAdmin } from "./authorizeAdmin.js";

/** Longest user, group or connection id the service takes (and the message protocol allows). */
const MAX_NAME_LENGTH = 1024;

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
  for (const [name, value] of Object.entries(params)) {
    if (isDotSegment(value)) {
      throw new AdminError(400, "bad_request", `${name} must not be '.' or '..'`);
    }
    if (value.length > MAX_NAME_LENGTH) {
      throw new AdminError(
        400,
        "bad_request",
        `${name} is limited to ${MAX_NAME_LENGTH} characters`,
      );
    }
  }
  const target = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, value.slice(0, LOGGED_NAME_LENGTH)]),
  );
  log.info("admin action", { caller: caller.id.slice(0, LOGGED_NAME_LENGTH), action, ...target });
  try {
    return await withinDeadline(config.deadlines.eventMs, async (signal) => {
      const deps = {
        ...runtime,
        store: runtime.store.withSignal(signal),
        service: runtime.service.withSignal(signal),
        repairStore: runtime.store,
        log,
        caller,
      };
      return await ADMIN_ACTIONS[action](params, request, deps);
    });
  } catch (thrown) {
    // The service's refusal of what the caller asked for is the caller's to fix.
    if (thrown instanceof ServiceRefusal) {
      throw thrown.status === 400
        ? new AdminError(
            400,
            "bad_request",
            "the service refused a name or parameter of this request",
          )
        : new AdminError(404, "not_found", "the service has no such connection");
    }
    throw thrown;
  }
}
