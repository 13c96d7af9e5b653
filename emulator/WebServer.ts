import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createSecureServer } from "node:https";
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from "node:net";
import type { Duplex } from "node:stream";
import type { TlsOptions } from "./types.js";

/** The first byte of a TLS handshake record. */
const TLS_HANDSHAKE = 0x16;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The emulator's port: HTTP requests and WebSocket upgrades. With `tls`, the port speaks TLS
 * (https, wss) and plain http/ws alike: the first byte of each connection tells them apart.
 */
export class WebServer {
  private readonly plain: Server = createServer();
  private readonly secure: Server | undefined;
  private readonly listener: TcpServer;
  /** Sockets handed to `plain`/`secure`, which never listen themselves and so do not track them. */
  private readonly sockets = new Set<Socket>();

  constructor(tls: TlsOptions | undefined) {
    if (tls === undefined) {
      this.listener = this.plain;
      return;
    }
    const secure = createSecureServer({ cert: tls.cert, key: tls.key });
    this.secure = secure;
    this.listener = createTcpServer((socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      socket.once("readable", () => {
        const first = socket.read(1) as Buffer | null;
        if (first === null) {
          socket.destroy();
          return;
        }
        socket.unshift(first);
        (first[0] === TLS_HANDSHAKE ? secure : this.plain).emit("connection", socket);
      });
    });
  }

  /** Listens; resolves with the port (useful with port 0). */
  async listen(port: number, host: string): Promise<number> {
    const listener = this.listener;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      listener.once("error", onError);
      listener.listen(port, host, () => {
        listener.off("error", onError);
        resolve();
      });
    });
    return (listener.address() as AddressInfo).port;
  }

  serve(onRequest: RequestHandler, onUpgrade: UpgradeHandler): void {
    for (const server of [this.plain, this.secure]) {
      server?.on("request", onRequest);
      server?.on("upgrade", onUpgrade);
    }
  }

  /** Ends every connection and stops listening. */
  async close(): Promise<void> {
    this.plain.closeAllConnections();
    this.secure?.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    if (!this.listener.listening) return;
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }
}
