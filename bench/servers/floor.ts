import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { BENCH_GROUP, BENCH_HUB, BENCH_KEY } from "../benchSettings.js";
import { messagePhase, type FloorShapes, type Phase } from "../events/phases.js";
import { readBody, serveForRunner } from "./benchChild.js";
import { RawService } from "./rawService.js";
import { RawTable } from "./rawTable.js";

/**
 * The floor: the least work an event of a given shape can cost in Node. A bare `node:http`
 * server checks the HMAC signature, parses the body, then makes the table calls (raw REST,
 * Shared Key Lite, keep-alive) and Web PubSub REST calls (raw, HS256 token from a prebuilt key,
 * keep-alive) of the phase's shape, one after another, and answers as Switchboard answers.
 * The runner configures the shapes from Switchboard's counted calls.
 */
const storage = process.env.BENCH_STORAGE;
const endpoint = process.env.BENCH_REST_ENDPOINT;
const tableName = process.env.BENCH_TABLE;
if (storage === undefined || endpoint === undefined || tableName === undefined) {
  throw new Error("BENCH_STORAGE, BENCH_REST_ENDPOINT and BENCH_TABLE must be set");
}
const table = new RawTable(storage, tableName);
const service = new RawService(endpoint, BENCH_KEY, BENCH_HUB);
const signingKey = createSecretKey(Buffer.from(BENCH_KEY, "utf8"));
let shapes: FloorShapes = {};

// One row every read finds and one partition every query lists.
await table.createTable();
await table.write("fixed", "row", { userId: "bench-user", roles: "[]", state: "live" });

async function work(phase: Phase, connectionId: string, user: string): Promise<void> {
  const shape = shapes[phase];
  if (shape === undefined) throw new Error(`no shape configured for ${phase}`);
  for (let i = 0; i < shape.reads; i++) await table.read("fixed", "row");
  for (let i = 0; i < shape.queries; i++) await table.query("fixed");
  for (let i = 0; i < shape.writes; i++) {
    await table.write(`w.${connectionId}`, String(i), { connectionId, state: "live" });
  }
  const body = JSON.stringify({ type: "message", from: user, data: "hello" });
  for (const kind of shape.rest) {
    await service.call(kind, { group: BENCH_GROUP, user, connectionId }, body);
  }
}

function validSignature(connectionId: string, header: string | string[] | undefined): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", signingKey).update(connectionId).digest("hex")}`,
  );
  return String(header ?? "")
    .split(",")
    .some((given) => {
      const bytes = Buffer.from(given.trim());
      return bytes.length === expected.length && timingSafeEqual(bytes, expected);
    });
}

interface Reply {
  readonly status: number;
  readonly body?: string;
}

/** The floor's answer to one request, after its work. */
async function reply(req: IncomingMessage, body: Buffer): Promise<Reply> {
  const url = req.url ?? "/";
  if (url.startsWith("/api/negotiate")) {
    const userId = req.headers["x-ms-client-principal-id"];
    if (typeof userId !== "string") return { status: 401 };
    const expiresAt = new Date(Date.now() + 10 * 60_000).toISOString();
    return { status: 200, body: JSON.stringify({ url: service.clientUrl(userId, 10), expiresAt }) };
  }
  const connectionId = req.headers["ce-connectionid"];
  const signature = req.headers["ce-signature"];
  if (typeof connectionId !== "string" || !validSignature(connectionId, signature)) {
    return { status: 401 };
  }
  const event = /^\/api\/events\/([a-z]+)$/.exec(url)?.[1];
  const user = String(req.headers["ce-userid"]);
  const parsed = JSON.parse(body.toString("utf8")) as { id?: unknown };
  if (event === "message") {
    const phase = messagePhase(parsed);
    if (phase === undefined) return { status: 400 };
    await work(phase, connectionId, user);
    const sent = phase === "sendToGroup" || phase === "sendToUser";
    const ack = {
      type: "ack",
      id: parsed.id,
      ok: true,
      ...(sent ? { messageId: `${connectionId}.${String(parsed.id)}` } : {}),
    };
    return { status: 200, body: JSON.stringify(ack) };
  }
  if (event === "connect" || event === "connected" || event === "disconnected") {
    await work(event, connectionId, user);
    return { status: 204 };
  }
  return { status: 404 };
}

function send(res: ServerResponse, { status, body }: Reply): void {
  res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
  res.end(body);
}

const server = createServer((req, res) => {
  readBody(req)
    .then(async (body) => await reply(req, body))
    .then(
      (answer) => {
        send(res, answer);
      },
      (error: unknown) => {
        console.error(error);
        send(res, { status: 500 });
      },
    );
});
serveForRunner(server, {
  configure: (value) => {
    shapes = value as FloorShapes;
  },
});
