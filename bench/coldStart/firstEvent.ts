import azureFunctions, { type HttpHandler } from "@azure/functions";
import { signedMessageRequest } from "../signedMessageRequest.js";
import { startApp } from "./startApp.js";

/**
 * A fresh process until its first answered event: the app started, then one signed `message`
 * event through the registered `events` handler. Shows what lazy loading moved to that request.
 */
const registry = await startApp();
const events = registry.functions.find((entry) => entry.metadata.name === "events");
if (!events) throw new Error("no events function registered");
const { headers, body } = signedMessageRequest();
const request = new azureFunctions.HttpRequest({
  method: "POST",
  url: "http://localhost:7071/api/events/message",
  headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
  params: { event: "message" },
  body: { string: body },
});
const context = new azureFunctions.InvocationContext({
  functionName: "events",
  logHandler: () => undefined,
});
const response = await (events.handler as HttpHandler)(request, context);
if (!("status" in response) || response.status !== 200)
  throw new Error(`first event answered ${JSON.stringify(response)}`);
