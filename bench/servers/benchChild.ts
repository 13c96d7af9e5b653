import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the runner asks of an implementation's process, over its IPC channel. */
export type ChildRequest =
  | { readonly type: "cpu"; readonly id: number }
  | { readonly type: "configure"; readonly id: number; readonly value: unknown };

/** What an implementation's process answers. */
export type ChildMessage =
  | { readonly type: "ready"; readonly port: number }
  | { readonly type: "cpu"; readonly id: number; readonly user: number; readonly system: number }
  | { readonly type: "configured"; readonly id: number };

/** Work a server finished answering but not doing (an event answered before its work). */
export class Background {
  private readonly pending = new Set<Promise<unknown>>();
  failures = 0;

  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => {
        this.failures += 1;
      },
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/**
 * Serves one implementation for the runner: listens on a free loopback port, says so, and
 * answers the runner's questions. `cpu` is answered with this process's CPU time (all its
 * threads, µs) once its background work is done, so work an event left running is counted.
 */
export function serveForRunner(
  server: Server,
  options: { background?: Background; configure?: (value: unknown) => void } = {},
): void {
  const send = (message: ChildMessage) => process.send?.(message);
  server.keepAliveTimeout = 60_000;
  process.on("message", (message: ChildRequest) => {
    void (async () => {
      if (message.type === "configure") {
        options.configure?.(message.value);
        send({ type: "configured", id: message.id });
        return;
      }
      await options.background?.idle();
      if ((options.background?.failures ?? 0) > 0) {
        throw new Error(`${options.background?.failures} background tasks failed`);
      }
      const { user, system } = process.cpuUsage();
      send({ type: "cpu", id: message.id, user, system });
    })();
  });
  // The runner going away ends this process.
  process.on("disconnect", () => process.exit(0));
  server.listen(0, "127.0.0.1", () => {
    send({ type: "ready", port: (server.address() as AddressInfo).port });
  });
}

/** The whole body of a request. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
