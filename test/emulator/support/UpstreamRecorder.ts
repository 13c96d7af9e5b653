import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "./waitFor.js";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** An event handler stand-in: records every request and answers with `reply` (default: accept). */
export class UpstreamRecorder {
  readonly requests: RecordedRequest[] = [];
  reply: (request: RecordedRequest) => Reply = acceptEverything;
  private server: Server | undefined;
  private base = "";

  /** e.g. `http://127.0.0.1:1234/api/{hub}/{event}` */
  get urlTemplate(): string {
    return `${this.base}/api/{hub}/{event}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const recorded = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        this.requests.push(recorded);
        const reply = this.reply(recorded);
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
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

  /** POSTed events with this `ce-eventName` (and connection, if given). */
  events(eventName: string, connectionId?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === "POST" &&
        r.headers["ce-eventname"] === eventName &&
        (connectionId === undefined || r.headers["ce-connectionid"] === connectionId),
    );
  }

  async waitForEvent(eventName: string, connectionId?: string): Promise<RecordedRequest> {
    return await waitFor(
      () => this.events(eventName, connectionId)[0],
      `the ${eventName} event${connectionId ? ` of ${connectionId}` : ""}`,
    );
  }
}

/** Passes the abuse-protection check and accepts every event with 204. */
export function acceptEverything(request: RecordedRequest): Reply {
  if (request.method === "OPTIONS")
    return { status: 200, headers: { "WebHook-Allowed-Origin": "*" } };
  return { status: 204 };
}

/** Whether the request is the POST of the named event. */
export function isEvent(request: RecordedRequest, name: string): boolean {
  return request.method === "POST" && request.headers["ce-eventname"] === name;
}
