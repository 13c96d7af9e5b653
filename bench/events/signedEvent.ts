import { createHmac } from "node:crypto";
import { BENCH_HUB, BENCH_KEY } from "../benchSettings.js";

export type ServiceEventName = "connect" | "connected" | "message" | "disconnected";

/** One upstream request as the benchmark sends it over HTTP. */
export interface BenchRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An event of one connection, signed with the bench key as the service signs it. */
export function signedEvent(
  event: ServiceEventName,
  connectionId: string,
  userId: string,
  eventId: string,
  body: string,
): BenchRequest {
  const signature = createHmac("sha256", BENCH_KEY).update(connectionId).digest("hex");
  const user = event === "message";
  return {
    method: "POST",
    path: `/api/events/${event}`,
    headers: {
      "content-type": user ? "application/json" : "application/json; charset=utf-8",
      "ce-specversion": "1.0",
      "ce-type": user ? "azure.webpubsub.user.message" : `azure.webpubsub.sys.${event}`,
      "ce-source": `/hubs/${BENCH_HUB}/client/${connectionId}`,
      "ce-id": eventId,
      "ce-time": new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      "ce-awpsversion": "1.0",
      "ce-hub": BENCH_HUB,
      "ce-connectionid": connectionId,
      "ce-eventname": event,
      "ce-userid": userId,
      "ce-signature": `sha256=${signature}`,
      "webhook-request-origin": "127.0.0.1",
    },
    body,
  };
}

/** The `connect` body the service sends for a client holding a token for `userId`. */
export function connectBody(userId: string): string {
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    claims: {
      sub: [userId],
      aud: [`http://127.0.0.1/client/hubs/${BENCH_HUB}`],
      iat: [String(now)],
      exp: [String(now + 3600)],
    },
    query: { access_token: ["…"] },
    headers: { Connection: ["Upgrade"], Upgrade: ["websocket"] },
    subprotocols: [],
    clientCertificates: [],
  });
}

/** A negotiate call from a user signed in through App Service Authentication. */
export function negotiateRequest(userId: string): BenchRequest {
  const principal = Buffer.from(
    JSON.stringify({ auth_typ: "aad", claims: [], name_typ: "name", role_typ: "roles" }),
  ).toString("base64");
  return {
    method: "GET",
    path: "/api/negotiate",
    headers: {
      "x-ms-client-principal": principal,
      "x-ms-client-principal-id": userId,
      "x-ms-client-principal-name": `${userId}@example.com`,
      "x-ms-client-principal-idp": "aad",
    },
    body: "",
  };
}
