import { createHmac } from "node:crypto";

export const BENCH_HUB = "chat";
export const BENCH_KEY = "bench-access-key-0123456789abcdefghijklmnop";
export const BENCH_CONNECTION = "bench-connection";

/** A `message` user event with a text body, signed as the service signs it. */
export function signedMessageRequest(connectionId = BENCH_CONNECTION): {
  headers: Record<string, string>;
  body: string;
} {
  const signature = createHmac("sha256", BENCH_KEY).update(connectionId).digest("hex");
  return {
    headers: {
      "content-type": "text/plain",
      "ce-specversion": "1.0",
      "ce-type": "azure.webpubsub.user.message",
      "ce-source": `/hubs/${BENCH_HUB}/client/${connectionId}`,
      "ce-id": "1",
      "ce-time": "2026-01-01T00:00:00Z",
      "ce-awpsversion": "1.0",
      "ce-hub": BENCH_HUB,
      "ce-connectionId": connectionId,
      "ce-eventName": "message",
      "ce-userId": "bench-user",
      "ce-signature": `sha256=${signature}`,
      "webhook-request-origin": "127.0.0.1",
    },
    body: "hello",
  };
}

/** Settings for the app under load: the echo path needs no storage or REST call. */
export function benchAppSettings(): Record<string, string> {
  return {
    AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=http://127.0.0.1:9;AccessKey=${BENCH_KEY};Version=1.0;`,
    AZURE_WEBPUBSUB_HUB: BENCH_HUB,
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    SWITCHBOARD_MESSAGES_PER_MINUTE: "0",
    // As deployed behind App Service Authentication (negotiate is not measured).
    WEBSITE_AUTH_ENABLED: "True",
  };
}
