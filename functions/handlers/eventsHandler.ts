import { HttpError } from "../../shared/errors.js";
import { EVENT_ROUTES, type EventRoute } from "../../shared/events/eventRoutes.js";
import { handleEventRequest } from "../../shared/events/handleEventRequest.js";
import { readLimitedBody } from "../adapter/readLimitedBody.js";
import { toHttpResponse } from "../adapter/toHttpResponse.js";
import { withErrorBoundary } from "../adapter/withErrorBoundary.js";

/**
 * Every route under `events/`: `{event}` names the event (or `validate`, the handshake the
 * service sends when it checks the handler URL). HttpRequest in, the core's answer out.
 */
export const eventsHandler = withErrorBoundary(async (request, runtime, log) => {
  const route = request.params.event;
  if (!isEventRoute(route)) {
    throw new HttpError(
      404,
      `no event route '${String(route).slice(0, 64)}'; the service sends ${EVENT_ROUTES.join(", ")}`,
    );
  }
  const response = await handleEventRequest(
    route,
    {
      method: request.method,
      headers: request.headers,
      readBody: async (maxBytes) => await readLimitedBody(request, maxBytes),
    },
    runtime,
    log,
  );
  return toHttpResponse(response);
});

function isEventRoute(value: string | undefined): value is EventRoute {
  return (EVENT_ROUTES as readonly (string | undefined)[]).includes(value);
}
