import { Agent, request } from "node:http";

/** One keep-alive agent for every raw call of a process. */
export const keepAlive = new Agent({ keepAlive: true });

/** One plain HTTP call over the keep-alive agent: the status and the whole answer. */
export async function rawCall(
  url: URL,
  method: string,
  headers: Record<string, string | number>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    const call = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers:
          body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
        agent: keepAlive,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    call.on("error", reject);
    call.end(body);
  });
}
