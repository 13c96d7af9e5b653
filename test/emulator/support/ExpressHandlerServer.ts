import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  WebPubSubEventHandler,
  type WebPubSubEventHandlerOptions,
} from "@azure/web-pubsub-express";

type Middleware = (
  req: IncomingMessage & { baseUrl: string; path: string },
  res: ServerResponse,
  next: (error?: unknown) => void,
) => Promise<void>;

/**
 * Microsoft's `WebPubSubEventHandler` middleware mounted on a Node HTTP server, as Express would
 * call it (`baseUrl` + `path`). Before the middleware runs, every POST's `ce-signature` is checked
 * independently with node:crypto; the verdicts are kept in `signatureChecks`.
 */
export class ExpressHandlerServer {
  readonly signatureChecks: { connectionId: string; valid: boolean }[] = [];
  readonly unhandled: string[] = [];
  private server: Server | undefined;
  base = "";

  constructor(
    private readonly hub: string,
    private readonly accessKey: string,
    private readonly options: WebPubSubEventHandlerOptions,
  ) {}

  /** The URL template to configure on the emulator. */
  get urlTemplate(): string {
    return `${this.base}/api/webpubsub/hubs/{hub}/{event}`;
  }

  async start(): Promise<this> {
    const middleware = new WebPubSubEventHandler(
      this.hub,
      this.options,
    ).getMiddleware() as unknown as Middleware;
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (req.method === "POST") this.checkSignature(req);
      void middleware(Object.assign(req, { baseUrl: "", path }), res, () => {
        this.unhandled.push(`${req.method ?? ""} ${path}`);
        res.statusCode = 404;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private checkSignature(req: IncomingMessage): void {
    const connectionId = String(req.headers["ce-connectionid"] ?? "");
    const expected = Buffer.from(
      `sha256=${createHmac("sha256", this.accessKey).update(connectionId).digest("hex")}`,
    );
    const entries = String(req.headers["ce-signature"] ?? "").split(",");
    const valid = entries.some((entry) => {
      const actual = Buffer.from(entry.trim().toLowerCase());
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    });
    this.signatureChecks.push({ connectionId, valid });
  }
}
