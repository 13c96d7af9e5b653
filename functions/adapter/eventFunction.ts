import type { HttpHandler } from "@azure/functions";
import type { EventRoute } from "../../shared/events/eventRoutes.js";
import { readLimitedBody } from "./readLimitedBody.js";
import { toHttpResponse } from "./toHttpResponse.js";
import { withErrorBoundary } from "./withErrorBoundary.js";

/** The event pipeline is imported on the first event, once (not when the app's modules load). */
let pipelineModule: Promise<typeof import("../../shared/events/handleEventRequest.js")> | undefined;
const pipeline = async () =>
  await (pipelineModule ??= import("../../shared/events/handleEventRequest.js"));

/** The HTTP handler of one event route: HttpRequest in, the core's answer out. */
export function eventFunction(route: EventRoute): HttpHandler {
  return withErrorBoundary(async (request, runtime, log) => {
    const { handleEventRequest } = await pipeline();
    const response = await handleEventRequest(
      route,
      {
        method: request.method,
        headers: request.headers,
        code: request.query.get("code") ?? undefined,
        readBody: async (maxBytes) => await readLimitedBody(request, maxBytes),
      },
      runtime,
      log,
    );
    return toHttpResponse(response);
  });
}
