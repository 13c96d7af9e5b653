import WebSocket, { type ClientOptions } from "ws";
import { waitFor } from "./waitFor.js";

export interface Frame {
  data: string | Buffer;
  isBinary: boolean;
}

/** A `ws` client that records every frame and its close, for assertions. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closeEvent: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer, isBinary: boolean) =>
      this.frames.push({ data: isBinary ? data : data.toString("utf8"), isBinary }),
    );
    socket.on("close", (code, reason) => (this.closeEvent = { code, reason: reason.toString() }));
  }

  /**
   * Opens a socket; rejects with the HTTP status when the handshake is refused. `options`: `ws`'s
   * (e.g. `ca` for wss).
   */
  static async open(
    url: string,
    protocols?: string | string[],
    options?: ClientOptions,
  ): Promise<TestSocket> {
    const socket = new WebSocket(url, protocols, options);
    const client = new TestSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("unexpected-response", (_req, res) =>
        reject(new HandshakeError(res.statusCode ?? 0)),
      );
      socket.once("error", reject);
    });
    return client;
  }

  /** The HTTP status a refused handshake answered (fails if the socket opened). */
  static async refusal(url: string, protocols?: string | string[]): Promise<number> {
    try {
      const client = await TestSocket.open(url, protocols);
      client.socket.terminate();
    } catch (error) {
      if (error instanceof HandshakeError) return error.status;
      throw error;
    }
    throw new Error("The handshake was accepted");
  }

  /** Text frames parsed as JSON. */
  get messages(): Record<string, unknown>[] {
    return this.frames
      .filter((frame) => !frame.isBinary)
      .map((frame) => JSON.parse(frame.data as string) as Record<string, unknown>);
  }

  send(message: object | string | Buffer): void {
    this.socket.send(
      typeof message === "string" || Buffer.isBuffer(message) ? message : JSON.stringify(message),
    );
  }

  async nextMessage(
    predicate: (message: Record<string, unknown>) => boolean,
    what = "a matching message",
  ): Promise<Record<string, unknown>> {
    return await waitFor(() => this.messages.find(predicate), what);
  }

  async ack(ackId: number): Promise<Record<string, unknown>> {
    return await this.nextMessage((m) => m.type === "ack" && m.ackId === ackId, `ack ${ackId}`);
  }

  async closed(): Promise<{ code: number; reason: string }> {
    return await waitFor(() => this.closeEvent, "the socket to close");
  }

  close(): void {
    this.socket.close();
  }
}

export class HandshakeError extends Error {
  constructor(readonly status: number) {
    super(`Handshake refused with ${status}`);
  }
}
