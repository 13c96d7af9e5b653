import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { odata, TableClient } from "@azure/data-tables";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubEventHandler, type UserEventResponseHandler } from "@azure/web-pubsub-express";
import express, { type NextFunction, type Request, type Response } from "express";
import { BENCH_HUB, BENCH_KEY } from "../benchSettings.js";
import { Background, serveForRunner } from "./benchChild.js";

/**
 * The reference: Microsoft's `@azure/web-pubsub-express` handler doing the work Switchboard
 * does, with the same SDKs (`@azure/data-tables`, `@azure/web-pubsub`) and the same table and
 * REST calls per event, in the same order (bench/README.md lists them), plus the `ce-signature`
 * check the middleware itself does not make. `connected` does no work, as in Switchboard. The
 * middleware answers `disconnected` before its work runs; that work is tracked, so the runner
 * reads this process's CPU time only once it is done.
 */
const storage = process.env.BENCH_STORAGE;
const endpoint = process.env.BENCH_REST_ENDPOINT;
const tableName = process.env.BENCH_TABLE;
if (storage === undefined || endpoint === undefined || tableName === undefined) {
  throw new Error("BENCH_STORAGE, BENCH_REST_ENDPOINT and BENCH_TABLE must be set");
}
const table = TableClient.fromConnectionString(storage, tableName, {
  allowInsecureConnection: true,
});
await table.createTable();
const service = new WebPubSubServiceClient(
  `Endpoint=${endpoint};AccessKey=${BENCH_KEY};Version=1.0;`,
  BENCH_HUB,
  { allowInsecureConnection: true },
);
const background = new Background();

interface Connection {
  state: "live" | "gone";
  userId: string;
  roles: string;
}

const connectionRow = (connectionId: string) => ({ partitionKey: "c", rowKey: connectionId });
const memberRow = (group: string, connectionId: string) => ({
  partitionKey: `g.${group}`,
  rowKey: connectionId,
});
const indexPartition = (connectionId: string) => `m.${connectionId}`;
const claimRow = (connectionId: string, key: string) => ({
  partitionKey: `s.${connectionId}`,
  rowKey: key,
});

/** A point read; undefined when the row is not there. */
async function read<T extends object>(row: { partitionKey: string; rowKey: string }) {
  try {
    return await table.getEntity<T>(row.partitionKey, row.rowKey);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

async function remove(row: { partitionKey: string; rowKey: string }): Promise<void> {
  try {
    await table.deleteEntity(row.partitionKey, row.rowKey);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/** The first page of a connection's group index (one query). */
async function indexedGroups(connectionId: string): Promise<{ group: string; state: string }[]> {
  const page = await table
    .listEntities<{ group: string; state: string }>({
      queryOptions: {
        filter: odata`PartitionKey eq ${indexPartition(connectionId)}`,
        select: ["group", "state"],
      },
    })
    .byPage({ maxPageSize: 200 })
    .next();
  return page.done === true ? [] : [...page.value];
}

/** The sender, as its connection row records it. */
async function sender(connectionId: string, userId: string | undefined) {
  const row = await read<Connection>(connectionRow(connectionId));
  if (row?.state !== "live" || row.userId !== userId) throw new Error("unknown sender");
  return row;
}

type Message =
  | { type: "join" | "leave"; group: string; id: number }
  | { type: "send"; group?: string; user?: string; data: unknown; id: number };

async function join(connectionId: string, userId: string | undefined, group: string) {
  const member = await sender(connectionId, userId);
  await indexedGroups(connectionId);
  const common = { group, connectionId };
  await table.upsertEntity(
    { partitionKey: indexPartition(connectionId), rowKey: group, ...common, state: "member" },
    "Replace",
  );
  await table.upsertEntity(
    { ...memberRow(group, connectionId), ...common, userId: member.userId, roles: member.roles },
    "Replace",
  );
  await service.group(group).addConnection(connectionId);
}

async function leave(connectionId: string, userId: string | undefined, group: string) {
  await sender(connectionId, userId);
  await indexedGroups(connectionId);
  await remove(memberRow(group, connectionId));
  await table.updateEntity(
    { partitionKey: indexPartition(connectionId), rowKey: group, state: "left" },
    "Merge",
  );
  await service.group(group).removeConnection(connectionId);
}

/** A send claimed once per (connection, client id), sent, then confirmed, as Switchboard routes it. */
async function send(
  connectionId: string,
  userId: string | undefined,
  message: Extract<Message, { type: "send" }>,
): Promise<string> {
  const { group, user } = message;
  const from =
    group === undefined
      ? await sender(connectionId, userId)
      : await read<Connection>(memberRow(group, connectionId));
  if (from === undefined) throw new Error("not a member");
  const messageId = `${connectionId}.${message.id}`;
  const claim = claimRow(connectionId, `id:${message.id}`);
  await table.createEntity({ ...claim, state: "pending", messageId, claimedAt: new Date() });
  const envelope = {
    type: "message",
    id: messageId,
    from: from.userId,
    ...(group === undefined ? { user } : { group }),
    data: message.data,
    at: new Date().toISOString(),
  };
  if (group !== undefined) await service.group(group).sendToAll(envelope);
  else await service.sendToUser(user ?? "", envelope);
  await table.updateEntity({ ...claim, state: "sent" }, "Merge");
  return messageId;
}

async function disconnect(connectionId: string): Promise<void> {
  await read<Connection>(connectionRow(connectionId));
  const groups = await indexedGroups(connectionId);
  await Promise.all(groups.map(async ({ group }) => await remove(memberRow(group, connectionId))));
  await table.upsertEntity(
    { ...connectionRow(connectionId), state: "gone", goneAt: new Date() },
    "Merge",
  );
  // As Switchboard does: the index rows in one transaction (they share a partition).
  if (groups.length > 0) {
    await table.submitTransaction(
      groups.map(({ group }) => [
        "delete",
        { partitionKey: indexPartition(connectionId), rowKey: group },
      ]),
    );
  }
}

function ack(res: UserEventResponseHandler, id: number, extra: object): void {
  res.success(JSON.stringify({ type: "ack", id, ok: true, ...extra }), "json");
}

const handler = new WebPubSubEventHandler(BENCH_HUB, {
  path: "/api/events",
  handleConnect: (req, res) => {
    const { connectionId } = req.context;
    const userId = req.context.userId ?? req.claims?.sub?.[0];
    table
      .createEntity({
        ...connectionRow(connectionId),
        state: "live",
        userId,
        roles: "[]",
        groups: "[]",
        connectedAt: new Date(),
      })
      // As Switchboard does: the user's index row, which the admin API lists.
      .then(
        async () =>
          await table.upsertEntity(
            { partitionKey: `i.${userId ?? ""}`, rowKey: connectionId, userId, connectionId },
            "Replace",
          ),
      )
      .then(
        () => res.success(),
        () => res.fail(500),
      );
  },
  onDisconnected: (req) => background.track(disconnect(req.context.connectionId)),
  handleUserEvent: (req, res) => {
    const { connectionId, userId } = req.context;
    const message = req.data as Message;
    const done = (async () => {
      switch (message.type) {
        case "join":
          await join(connectionId, userId, message.group);
          return {};
        case "leave":
          await leave(connectionId, userId, message.group);
          return {};
        case "send":
          return { messageId: await send(connectionId, userId, message) };
      }
    })();
    done.then(
      (extra) => ack(res, message.id, extra),
      () => res.fail(500),
    );
  },
});

/** The signature check the middleware leaves to the app: HMAC-SHA256 of the connection id. */
function checkSignature(req: Request, res: Response, next: NextFunction): void {
  const connectionId = req.header("ce-connectionid") ?? "";
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", BENCH_KEY).update(connectionId).digest("hex")}`,
  );
  const valid = (req.header("ce-signature") ?? "").split(",").some((given) => {
    const bytes = Buffer.from(given.trim());
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  });
  if (valid) next();
  else res.status(401).end();
}

const app = express();
app.post("/api/events/:event", checkSignature);
app.use(handler.getMiddleware());
app.get("/api/negotiate", (req, res) => {
  const userId = req.header("x-ms-client-principal-id");
  if (userId === undefined) {
    res.status(401).end();
    return;
  }
  const expiresAt = new Date(Date.now() + 10 * 60_000);
  service.getClientAccessToken({ userId, roles: [], groups: [], expirationTimeInMinutes: 10 }).then(
    (token) => res.set("Cache-Control", "no-store").json({ url: token.url, expiresAt }),
    () => res.status(500).end(),
  );
});
serveForRunner(createServer(app), { background });
