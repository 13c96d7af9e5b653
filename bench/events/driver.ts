import { Agent, request } from "node:http";
import type { BenchRequest } from "./signedEvent.js";

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export interface DriveResult {
  readonly answers: readonly Answer[];
  /** Milliseconds from sending each request until its whole answer arrived. */
  readonly latenciesMs: readonly number[];
}

/**
 * Sends every request to the server on `port`, at most `concurrency` at a time, over keep-alive
 * connections, and keeps each answer and its latency (in request order).
 */
export async function drive(
  port: number,
  agent: Agent,
  requests: readonly BenchRequest[],
  concurrency: number,
): Promise<DriveResult> {
  const answers: Answer[] = new Array<Answer>(requests.length);
  const latenciesMs: number[] = new Array<number>(requests.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const item = requests[i];
      if (item === undefined) continue;
      const started = process.hrtime.bigint();
      answers[i] = await send(port, agent, item);
      latenciesMs[i] = Number(process.hrtime.bigint() - started) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { answers, latenciesMs };
}

async function send(port: number, agent: Agent, item: BenchRequest): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const call = request(
      {
        host: "127.0.0.1",
        port,
        method: item.method,
        path: item.path,
        headers:
          item.method === "GET"
            ? item.headers
            : { ...item.headers, "content-length": Buffer.byteLength(item.body) },
        agent,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    call.on("error", reject);
    call.end(item.method === "GET" ? undefined : item.body);
  });
}
