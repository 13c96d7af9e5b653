import type WebSocket from "ws";
import type { Upstream } from "../upstream/Upstream.js";
import type { ClientConnection, Origin } from "./ClientConnection.js";
import type { HubStore } from "./HubStore.js";
import type { Payload } from "./payload.js";

export type FrameHandler = (connection: ClientConnection, data: Buffer, isBinary: boolean) => void;

/** Close codes after which a reliable client is gone for good (it closed on purpose). */
const FINAL_CLOSE_CODES = new Set([1000, 1001, 1005]);

/** The lifecycle of client connections: open, recover, deliver, close, end. */
export class ConnectionManager {
  onFrame: FrameHandler = () => undefined;

  constructor(
    private readonly hubs: HubStore,
    private readonly upstream: Upstream,
    private readonly recoveryWindowMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** A new connection whose connect succeeded: joins its groups and announces it. */
  open(connection: ClientConnection, socket: WebSocket, groups: readonly string[]): void {
    const hub = this.hubs.get(connection.hub);
    hub.add(connection);
    for (const group of groups) hub.join(connection, group);
    this.attach(connection, socket);
    this.sendConnected(connection);
    this.upstream.notify(connection, "connected", {});
    this.log(`connected ${connection.hub}/${connection.id} user=${connection.userId ?? "-"}`);
  }

  /** A reliable connection that came back in time: same id, groups and unacked messages. */
  resume(connection: ClientConnection, socket: WebSocket): void {
    clearTimeout(connection.recoveryTimer);
    connection.recoveryTimer = undefined;
    const previous = connection.socket;
    connection.socket = undefined;
    previous?.terminate();
    this.attach(connection, socket);
    this.sendConnected(connection);
    connection.replay();
    this.log(`recovered ${connection.hub}/${connection.id}`);
  }

  deliver(connection: ClientConnection, payload: Payload, origin: Origin): void {
    if (!connection.deliver(payload, origin)) {
      this.close(connection, "The reliable message buffer is full.", 1008);
    }
  }

  /** Closes a connection from the service side: `disconnected` message, close frame, end. */
  close(connection: ClientConnection, reason: string, code = 1000): void {
    if (connection.kind !== "raw") {
      connection.sendJson({ type: "system", event: "disconnected", message: reason });
    }
    const socket = connection.socket;
    this.end(connection, reason);
    socket?.close(code, truncate(reason));
  }

  /** The connection is gone for good: leaves the hub, upstream gets `disconnected`. */
  end(connection: ClientConnection, reason: string): void {
    if (connection.ended) return;
    connection.ended = true;
    clearTimeout(connection.recoveryTimer);
    connection.recoveryTimer = undefined;
    this.hubs.get(connection.hub).remove(connection);
    // `disconnected` follows the user events of frames that arrived before the close.
    void connection.inbound.then(() =>
      this.upstream.notify(connection, "disconnected", { reason }),
    );
    this.log(`disconnected ${connection.hub}/${connection.id}: ${reason}`);
  }

  /** Closes every socket and stops every timer (emulator shutdown). */
  shutdown(): void {
    for (const hub of this.hubs.all()) {
      for (const connection of hub.all()) {
        connection.ended = true;
        clearTimeout(connection.recoveryTimer);
        connection.socket?.terminate();
      }
    }
  }

  private attach(connection: ClientConnection, socket: WebSocket): void {
    connection.socket = socket;
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (connection.socket === socket) this.onFrame(connection, data, isBinary);
    });
    socket.on("error", (error) => this.log(`socket error on ${connection.id}: ${error.message}`));
    socket.on("close", (code: number) => this.socketClosed(connection, socket, code));
  }

  private socketClosed(connection: ClientConnection, socket: WebSocket, code: number): void {
    if (connection.socket !== socket) return;
    connection.socket = undefined;
    if (connection.ended) return;
    if (connection.kind === "reliable" && !FINAL_CLOSE_CODES.has(code)) {
      connection.recoveryTimer = setTimeout(
        () => this.end(connection, "The connection was not recovered in time."),
        this.recoveryWindowMs,
      );
      return;
    }
    this.end(
      connection,
      code === 1006 ? "The connection dropped." : `Closed by the client (${code}).`,
    );
  }

  private sendConnected(connection: ClientConnection): void {
    if (connection.kind === "raw") return;
    connection.sendJson({
      type: "system",
      event: "connected",
      userId: connection.userId,
      connectionId: connection.id,
      ...(connection.kind === "reliable"
        ? { reconnectionToken: connection.reconnectionToken }
        : {}),
    });
  }
}

/** Close reasons are limited to 123 bytes. */
function truncate(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}
