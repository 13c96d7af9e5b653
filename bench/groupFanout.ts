import path from "node:path";
import { fileURLToPath } from "node:url";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import WebSocket from "ws";
import { firstJsonLine, onJsonLine, spawnPinned, stop } from "./processes.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const GROUP = "bench";
const ROUNDS = 5;

export interface FanoutRow {
  readonly clients: number;
  readonly medianMs: number;
  readonly restCallsPerMessage: number;
}

/**
 * One `send` to a group of N real WebSocket clients, through the whole path: client → emulator
 * → the app (signature, membership check in Azurite) → one REST call → emulator → N clients.
 * The emulator and app run on core 0; the clients in this process, Azurite beside it.
 */
export async function groupFanout(sizes: number[], storage: string): Promise<FanoutRow[]> {
  const rows: FanoutRow[] = [];
  for (const size of sizes) rows.push(await measure(size, storage));
  return rows;
}

export function fanoutTable(rows: readonly FanoutRow[]): string {
  const smallest = rows[0]?.medianMs ?? Number.NaN;
  return [
    "| group fan-out (one `send` through the app and the emulator) | clients | all received after (median of 5, ms) | vs the smallest group | REST calls per message |",
    "|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| group of ${row.clients} | ${row.clients} | ${row.medianMs.toFixed(1)} | ${(row.medianMs / smallest).toFixed(2)}× | ${row.restCallsPerMessage.toFixed(1)} |`,
    ),
  ].join("\n");
}

async function measure(size: number, storage: string): Promise<FanoutRow> {
  process.env.AzureWebJobsStorage = storage;
  process.env.SWITCHBOARD_TABLE = `Fanout${size}`;
  const server = spawnPinned(0, path.join(here, "servers/systemServer.js"));
  const restLines: string[] = [];
  try {
    onJsonLine(server, (value) => {
      if (typeof value.rest === "string") restLines.push(value.rest);
    });
    const { connectionString } = await firstJsonLine<{ connectionString: string }>(
      server,
      "connectionString",
    );
    const service = new WebPubSubServiceClient(connectionString, "chat", {
      allowInsecureConnection: true,
    });
    const url = async (userId: string) =>
      (await service.getClientAccessToken({ userId, groups: [GROUP] })).url;
    const arrivals = new Arrivals();
    const members = await Promise.all(
      Array.from(
        { length: size },
        async (_, i) => await connect(await url(`member-${i}`), () => arrivals.add()),
      ),
    );
    const sender = await connect(await url("sender"), () => undefined);
    const send = async (id: number) => {
      sender.socket.send(
        JSON.stringify({
          type: "event",
          event: "message",
          dataType: "json",
          data: { type: "send", group: GROUP, data: id, id },
        }),
      );
      return await ack(sender, id);
    };
    // The memberships are written by the app's `connected` handler; wait until the sender's is.
    const warm = arrivals.reset(size);
    for (let id = -1; (await send(id)).ok !== true; id--) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await warm;
    // The emulator logs a REST call after answering it: let the warm-up's line arrive first.
    await settled(() => restLines.length >= 1);
    const durations: number[] = [];
    let restCalls = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const all = arrivals.reset(size);
      const restBefore = restLines.length;
      const started = performance.now();
      const answered = send(round);
      await all;
      durations.push(performance.now() - started);
      const answer = await answered;
      if (answer.ok !== true) throw new Error(`send refused: ${JSON.stringify(answer)}`);
      await settled(() => restLines.length > restBefore);
      restCalls += restLines.length - restBefore;
    }
    for (const client of [...members, sender]) client.socket.close();
    durations.sort((x, y) => x - y);
    return {
      clients: size,
      medianMs: durations[Math.floor(durations.length / 2)] ?? Number.NaN,
      restCallsPerMessage: restCalls / ROUNDS,
    };
  } finally {
    await stop(server);
  }
}

interface Client {
  readonly socket: WebSocket;
  readonly messages: Record<string, unknown>[];
}

async function connect(url: string, onGroupMessage: () => void): Promise<Client> {
  const socket = new WebSocket(url, "json.webpubsub.azure.v1");
  const messages: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on("message", (frame: Buffer) => {
      const message = JSON.parse(frame.toString()) as Record<string, unknown>;
      if (message.type === "system" && message.event === "connected") resolve();
      if (message.type === "message" && message.from === "group") onGroupMessage();
      messages.push(message);
    });
    socket.once("error", reject);
  });
  return { socket, messages };
}

/** Counts group messages arriving at the members; resolves when the expected number is in. */
class Arrivals {
  private count = 0;
  private expected = 0;
  private resolve: (() => void) | undefined;

  add(): void {
    this.count += 1;
    if (this.count >= this.expected) this.resolve?.();
  }

  /** Starts a new round; the promise settles once `expected` messages have arrived. */
  async reset(expected: number): Promise<void> {
    this.count = 0;
    this.expected = expected;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.count} of ${expected} arrived`)),
        60_000,
      );
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      if (expected === 0) this.resolve();
    });
  }
}

/** Waits for the app's ack (a server message) with the given id. */
async function ack(client: Client, id: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = client.messages
      .map((m) => m.data as Record<string, unknown> | undefined)
      .find((data) => data?.type === "ack" && data.id === id);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ack for ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Waits (briefly, polling) for a log line that trails the event it reports. */
async function settled(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the emulator did not log the REST call");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
