import type { HttpResponseInit } from "@azure/functions";
import type { EventResponse } from "../../shared/protocol/eventResponse.js";

export function toHttpResponse(response: EventResponse): HttpResponseInit {
  return {
    status: response.status,
    ...(response.headers === undefined ? {} : { headers: { ...response.headers } }),
    ...(response.body === undefined ? {} : { body: response.body }),
  };
}
