import azureFunctions, { type HttpHandler } from "@azure/functions";
import { connectBody, signedEvent } from "../events/signedEvent.js";
import { startApp } from "./startApp.js";

/**
 * A fresh process until its first answered event: the app started, then one signed `connect`
 * event of a new connection through the registered `events` handler (the runner's Azurite holds
 * the state). Shows what lazy loading moved to that request.
 */
const registry = await startApp();
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
const request = new azureFunctions.HttpRequest({
  method: "POST",
  url: "http://localhost:7071/api/events/connect",
  headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
  params: { event: "connect" },
  body: { string: body },
});
const context = new azureFunctions.InvocationContext({
  functionName: "events",
  logHandler: () => undefined,
});
const response = await (events.handler as HttpHandler)(request, context);
if (!("status" in response) || (response.status !== 200 && response.status !== 204))
  throw new Error(`first event answered ${JSON.stringify(response)}`);
