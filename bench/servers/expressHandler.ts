import type { AddressInfo } from "node:net";
import { WebPubSubEventHandler } from "@azure/web-pubsub-express";
import express from "express";
import { BENCH_HUB } from "../signedMessageRequest.js";
import { announce } from "./announce.js";

/** The reference: Microsoft's express middleware echoing the message (it checks no signature). */
const handler = new WebPubSubEventHandler(BENCH_HUB, {
  path: "/api/events",
  handleUserEvent: (request, response) => {
    response.success(request.data as string, request.dataType);
  },
});
const app = express();
app.use(handler.getMiddleware());
const server = app.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
