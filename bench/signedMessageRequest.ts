import { createHmac } from "node:crypto";

export const BENCH_HUB = "chat";
export const BENCH_KEY = "bench-access-key-0123456789abcdefghijklmnop";
export const BENCH_CONNECTION = "bench-connection";
export const BENCH_USER = "bench-user";
export const BENCH_GROUP = "bench";

/** What a load run sends: a text frame (echoed) or a JSON `send` to the bench group. */
export type BenchMessage = "text" | "groupSend";

export type BenchEvent = "connect" | "connected" | "message";

/** An event of `connectionId` (user `BENCH_USER`), signed as the service signs it. */
export function signedEventRequest(
  event: BenchEvent,
  body: string,
  contentType: string,
  connectionId = BENCH_CONNECTION,
  eventId = "1",
): { headers: Record<string, string>; body: string } {
  const signature = createHmac("sha256", BENCH_KEY).update(connectionId).digest("hex");
  const type =
    event === "message" ? "azure.webpubsub.user.message" : `azure.webpubsub.sys.${event}`;
  return {
    headers: {
      "content-type": contentType,
      "ce-specversion": "1.0",
      "ce-type": type,
      "ce-source": `/hubs/${BENCH_HUB}/client/${connectionId}`,
      "ce-id": eventId,
      "ce-time": "2026-01-01T00:00:00Z",
      "ce-awpsversion": "1.0",
      "ce-hub": BENCH_HUB,
      "ce-connectionId": connectionId,
      "ce-eventName": event,
      "ce-userId": BENCH_USER,
      "ce-signature": `sha256=${signature}`,
      "webhook-request-origin": "127.0.0.1",
    },
    body,
  };
}

/** The `message` user event a load run repeats. */
export function signedMessageRequest(
  message: BenchMessage = "text",
  connectionId = BENCH_CONNECTION,
): { headers: Record<string, string>; body: string } {
  return message === "text"
    ? signedEventRequest("message", "hello", "text/plain", connectionId)
    : signedEventRequest(
        "message",
        JSON.stringify({ type: "send", group: BENCH_GROUP, data: "hello" }),
        "application/json",
        connectionId,
      );
}

/**
 * Settings for the app under load. The runner passes its Azurite and REST stub in
 * `BENCH_STORAGE` and `BENCH_REST_ENDPOINT`; without them only the text echo can be served.
 */
export function benchAppSettings(): Record<string, string> {
  const endpoint = process.env.BENCH_REST_ENDPOINT ?? "http://127.0.0.1:9";
  return {
    AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=${endpoint};AccessKey=${BENCH_KEY};Version=1.0;`,
    AZURE_WEBPUBSUB_HUB: BENCH_HUB,
    AzureWebJobsStorage: process.env.BENCH_STORAGE ?? "UseDevelopmentStorage=true",
    SWITCHBOARD_TABLE: process.env.BENCH_TABLE ?? "Bench",
    SWITCHBOARD_MESSAGES_PER_MINUTE: "0",
    SWITCHBOARD_JOIN_GROUPS: BENCH_GROUP,
    SWITCHBOARD_ECHO_RAW_FRAMES: "true",
    // As deployed behind App Service Authentication (negotiate is not measured).
    WEBSITE_AUTH_ENABLED: "True",
  };
}
