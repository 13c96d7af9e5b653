import type { HttpHandler, HttpRequest, InvocationContext } from "@azure/functions";
import { connectBody, signedEvent } from "../events/signedEvent.js";
import { startApp } from "./startApp.js";

/**
 * A fresh process until its first answered event: the app (built, or the deployment package
 * whose folder is the first argument) started, then one signed `connect` event of a new
 * connection through the registered `events` handler (the runner's Azurite holds the state).
 * Shows what lazy loading moved to that request. The request and context are plain objects
 * with what the app reads, so no variant loads a second copy of `@azure/functions` for them.
 */
const registry = await startApp(process.argv[2]);
const events = registry.functions.find((entry) => entry.metadata.name === "events");
if (!events) throw new Error("no events function registered");
const connectionId = `cold-${process.pid}-${Date.now()}`;
const { headers, body } = signedEvent(
  "connect",
  connectionId,
  "cold-user",
  "1",
  connectBody("cold-user"),
);
const request = {
  method: "POST",
  url: "http://localhost:7071/api/events/connect",
  headers: new Headers({ ...headers, "content-length": String(Buffer.byteLength(body)) }),
  query: new URLSearchParams(),
  params: { event: "connect" },
  body: ReadableStream.from([Buffer.from(body)]),
} as unknown as HttpRequest;
const ignore = () => undefined;
const context = {
  invocationId: "cold",
  functionName: "events",
  log: ignore,
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
} as unknown as InvocationContext;
const response = await (events.handler as HttpHandler)(request, context);
if (!("status" in response) || (response.status !== 200 && response.status !== 204))
  throw new Error(`first event answered ${JSON.stringify(response)}`);
