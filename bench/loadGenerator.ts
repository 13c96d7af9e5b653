import autocannon from "autocannon";
import { signedMessageRequest } from "./signedMessageRequest.js";

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** One load run against `url` (its own process, pinned to its own core by the runner). */
async function main(): Promise<void> {
  const [url, seconds = "5", connections = "16", message = "text"] = process.argv.slice(2);
  if (url === undefined || (message !== "text" && message !== "groupSend")) {
    throw new Error("usage: loadGenerator <url> [seconds] [connections] [text|groupSend]");
  }
  const { headers, body } = signedMessageRequest(message);
  const result = await autocannon({
    url,
    method: "POST",
    headers,
    body,
    duration: Number(seconds),
    connections: Number(connections),
  });
  const summary: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

await main();
