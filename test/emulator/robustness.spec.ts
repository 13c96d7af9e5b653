import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Harness, RELIABLE_PROTOCOL } from "./support/harness.js";
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
});
