import type { HttpRequest } from "@azure/functions";
import { handleNegotiate } from "../../shared/negotiate/handleNegotiate.js";
import { toHttpResponse } from "../adapter/toHttpResponse.js";
import { withErrorBoundary } from "../adapter/withErrorBoundary.js";

/** Client access URL for the signed-in caller (App Service authentication principal). */
export const negotiateHandler = withErrorBoundary(async (request, runtime, log) => {
  const response = await handleNegotiate(
    { principalId: principalId(request), queryUserId: request.query.get("userId") ?? undefined },
    runtime,
    log,
  );
  return toHttpResponse(response);
});

/** A malformed principal header set counts as no principal, never as a server error. */
function principalId(request: HttpRequest): string | undefined {
  try {
    const id = request.user?.id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}
