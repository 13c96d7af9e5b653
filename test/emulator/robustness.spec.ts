import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Harness, RELIABLE_PROTOCOL } from "./support/harness.js";
import { TestSocket } from "./support/TestSocket.js";
import { waitFor } from "./support/waitFor.js";

describe("emulator robustness", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("When a refused recovery socket sends an invalid frame, then the emulator keeps serving", async () => {
    const harness = await new Harness().start();
    cleanups.push(async () => await harness.stop());
    const url = new URL(
      `${await harness.clientUrl({ userId: "u" })}&awps_connection_id=bogus&awps_reconnection_token=bogus`,
    );
    // A raw client: the upgrade request and, right behind it, a frame with reserved opcode 0x3.
    const socket = connect(Number(url.port), "127.0.0.1");
    socket.on("error", () => undefined);
    const answered = new Promise((resolve) => socket.once("data", resolve));
    socket.write(
      [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${url.host}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        `Sec-WebSocket-Protocol: ${RELIABLE_PROTOCOL}`,
        "",
        "",
      ].join("\r\n"),
    );
    socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    // The server parses what followed the upgrade request as it answers it.
    await answered;
    socket.destroy();
    const health = await fetch(`${harness.emulator.url}/api/health`, { method: "HEAD" });
    expect(health.status).toBe(200);
  });

  it("When the handler times out on an event, then the event is not retried", async () => {
    const received: string[] = [];
    const upstream: Server = createServer((req, res) => {
      if (req.method === "OPTIONS") {
        res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
        return;
      }
      const event = String(req.headers["ce-eventname"]);
      received.push(event);
      req.resume();
      // `connected` never gets an answer; everything else is accepted.
      if (event !== "connected") res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    });
    const { port } = upstream.address() as AddressInfo;
    const harness = await new Harness().start({
      upstreamTimeoutMs: 300,
      retryDelaysMs: [10, 20, 30],
    });
    cleanups.push(async () => await harness.stop());
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [
        {
          urlTemplate: `http://127.0.0.1:${port}/{event}`,
          systemEvents: ["connect", "connected", "disconnected"],
        },
      ],
    });
    const client = await harness.connect({ userId: "slow" });
    client.socket.socket.close();
    // Events of a connection are delivered in order: `disconnected` comes after every attempt at `connected`.
    await waitFor(() => received.includes("disconnected"), "the disconnected event");
    expect(received.filter((event) => event === "connected")).toEqual(["connected"]);
  });

  it.each([[1.5], [-1], ["7"]])(
    "When a JSON client sends ackId %j, then it is closed with 1008",
    async (ackId) => {
      const harness = await new Harness().start();
      cleanups.push(async () => await harness.stop());
      const client = await harness.connect({ userId: "u", roles: ["webpubsub.joinLeaveGroup"] });
      client.socket.send({ type: "joinGroup", group: "g", ackId });
      expect((await client.socket.closed()).code).toBe(1008);
    },
  );

  it("When the Host header or the path encoding is malformed, then 400, not 500", async () => {
    const harness = await new Harness().start();
    cleanups.push(async () => await harness.stop());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: harness.emulator.port,
          path: "/api/hubs/chat/:send",
          method: "POST",
          headers: { host: "bad host:x" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(400);
    const url = new URL(await harness.clientUrl({ userId: "u" }));
    url.pathname = "/client/hubs/%E0%A4%A";
    expect(await TestSocket.refusal(url.toString())).toBe(400);
  });

  it("When a client sends faster than the handler answers, then reading pauses and every frame still arrives in order", async () => {
    const bodies: string[] = [];
    const upstream: Server = createServer((req, res) => {
      if (req.method === "OPTIONS") {
        res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (req.headers["ce-eventname"] === "message")
          bodies.push(Buffer.concat(chunks).toString());
        setTimeout(() => res.writeHead(204).end(), 2);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    });
    const { port } = upstream.address() as AddressInfo;
    const harness = await new Harness().start();
    cleanups.push(async () => await harness.stop());
    harness.emulator.setHub(harness.hub, {
      eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/{event}`, userEventPattern: "*" }],
    });
    const socket = await TestSocket.open(await harness.clientUrl({ userId: "fast" }));
    const sent = Array.from({ length: 200 }, (_, i) => `frame ${i}`);
    for (const text of sent) socket.send(text);
    await waitFor(() => bodies.length === sent.length, "every frame as a message event", 20_000);
    expect(bodies).toEqual(sent);
    socket.close();
  });
});
