import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebPubSubHubService } from "../../shared/service/webPubSubHubService.js";
import { TableAccess } from "../../shared/state/tableAccess.js";

/** Azurite's published development account (not a secret). */
const ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const ACCESS_KEY = "a-test-access-key-of-the-web-pubsub-service";

interface Answer {
  status: number;
  headers?: Record<string, string>;
}

/**
 * A server that records each request and answers the queued answers first, then `fallback`:
 * enough to see what the SDK clients send, and whether they send it again.
 */
class ScriptedServer {
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  readonly queued: Answer[] = [];
  private server: Server | undefined;

  constructor(private readonly fallback: Answer) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        this.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
        const answer = this.queued.shift() ?? this.fallback;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe("the Azure SDK clients, with their pipelines trimmed", () => {
  const tableServer = new ScriptedServer({
    status: 204,
    headers: { etag: `W/"datetime'2026-01-01T00%3A00%3A00Z'"` },
  });
  const restServer = new ScriptedServer({ status: 202 });
  let table: TableAccess;
  let service: WebPubSubHubService;

  beforeAll(async () => {
    const tableEndpoint = `${await tableServer.start()}/devstoreaccount1`;
    table = TableAccess.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
      "Rows",
      5000,
    );
    const endpoint = await restServer.start();
    service = new WebPubSubHubService(
      { auth: "key", endpoint, accessKey: ACCESS_KEY },
      "chat",
      5000,
    );
  });
  afterAll(async () => {
    await tableServer.stop();
    await restServer.stop();
  });
  beforeEach(() => {
    for (const server of [tableServer, restServer]) {
      server.requests.length = 0;
      server.queued.length = 0;
    }
  });

  it("When Table Storage answers 503 once, then the SDK sends the insert again and it succeeds", async () => {
    tableServer.queued.push({ status: 503 });
    await expect(table.create({ partitionKey: "p", rowKey: "r" })).resolves.toBe(true);
    expect(tableServer.requests.map((request) => request.method)).toEqual(["POST", "POST"]);
  });

  it("When Table Storage throttles once with 429 and Retry-After, then the SDK sends the insert again and it succeeds", async () => {
    tableServer.queued.push({ status: 429, headers: { "retry-after": "0" } });
    await expect(table.create({ partitionKey: "p", rowKey: "r" })).resolves.toBe(true);
    expect(tableServer.requests).toHaveLength(2);
  });

  it("When the REST API answers 503 once, then the SDK sends the message again and it is sent", async () => {
    restServer.queued.push({ status: 503 });
    await service.sendToGroup("room", { text: "hello" });
    expect(restServer.requests.map((request) => request.method)).toEqual(["POST", "POST"]);
  });

  it("When the REST API throttles once with 429 and Retry-After, then the SDK sends the message again and it is sent", async () => {
    restServer.queued.push({ status: 429, headers: { "retry-after": "0" } });
    await service.sendToGroup("room", { text: "hello" });
    expect(restServer.requests).toHaveLength(2);
  });

  it("When either client calls, then it asks for no compressed answer and still sends its user agent, a client request id and its authorization", async () => {
    await table.create({ partitionKey: "p", rowKey: "r" });
    await service.sendToGroup("room", { text: "hello" });
    const [tableRequest] = tableServer.requests;
    const [restRequest] = restServer.requests;
    for (const request of [tableRequest, restRequest]) {
      expect(request?.headers["accept-encoding"]).toBeUndefined();
      expect(request?.headers["user-agent"]).toMatch(/^azsdk-js-/);
      expect(request?.headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(tableRequest?.headers.authorization).toMatch(/^SharedKeyLite devstoreaccount1:/);
    expect(restRequest?.headers.authorization).toMatch(/^Bearer /);
  });
});
