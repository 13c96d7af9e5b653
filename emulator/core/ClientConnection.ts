import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { toJsonData, toRawFrame, type Payload } from "./payload.js";
import { ReliableBuffer } from "./ReliableBuffer.js";

/** ackIds remembered per connection for Duplicate detection. */
const MAX_REMEMBERED_ACK_IDS = 10_000;

export type ClientKind = "raw" | "json" | "reliable";

export const JSON_SUBPROTOCOL = "json.webpubsub.azure.v1";
export const RELIABLE_SUBPROTOCOL = "json.reliable.webpubsub.azure.v1";

export function kindOf(subprotocol: string | undefined): ClientKind {
  if (subprotocol === RELIABLE_SUBPROTOCOL) return "reliable";
  if (subprotocol === JSON_SUBPROTOCOL) return "json";
  return "raw";
}

export interface ConnectionInit {
  id: string;
  hub: string;
  userId: string | undefined;
  roles: Iterable<string>;
  subprotocol: string | undefined;
  connectionState: string | undefined;
  /** The id of the next CloudEvent (connect used 0). */
  nextEventId: number;
}

/** Where a data message comes from, as the JSON subprotocols tell the client. */
export type Origin = { from: "server" } | { from: "group"; group: string; fromUserId?: string };

/** One logical client connection: identity, permissions, groups, and its (current) socket. */
export class ClientConnection {
  readonly id: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly roles: Set<string>;
  readonly groups = new Set<string>();
  readonly subprotocol: string | undefined;
  readonly kind: ClientKind;
  readonly reconnectionToken = randomBytes(24).toString("base64url");
  /** The latest ackIds handled, for Duplicate answers; the oldest are forgotten past the bound. */
  private readonly seenAckIds = new Set<number>();
  readonly buffer = new ReliableBuffer();
  connectionState: string | undefined;
  socket: WebSocket | undefined;
  /** True once the client is gone for good (no recovery any more). */
  ended = false;
  recoveryTimer: NodeJS.Timeout | undefined;
  /** The client's frames still being handled, in order (see handleFrame). */
  inbound: Promise<void> = Promise.resolve();
  /** Frames received and not yet handled (the socket is paused while there are many). */
  pendingFrames = 0;
  private nextEventId: number;

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.roles = new Set(init.roles);
    this.subprotocol = init.subprotocol;
    this.kind = kindOf(init.subprotocol);
    this.connectionState = init.connectionState;
    this.nextEventId = init.nextEventId;
  }

  hasSeenAckId(ackId: number): boolean {
    return this.seenAckIds.has(ackId);
  }

  rememberAckId(ackId: number): void {
    this.seenAckIds.add(ackId);
    if (this.seenAckIds.size > MAX_REMEMBERED_ACK_IDS) {
      const oldest = this.seenAckIds.values().next();
      if (oldest.done !== true) this.seenAckIds.delete(oldest.value);
    }
  }

  takeEventId(): string {
    return String(this.nextEventId++);
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Delivers a data message. Raw clients get a bare frame; JSON clients an envelope; reliable
   * clients also a sequenceId, and the message is buffered until acknowledged. Returns false when
   * the reliable buffer overflowed (the caller then ends the connection).
   */
  deliver(payload: Payload, origin: Origin): boolean {
    if (this.ended) return true;
    if (this.kind === "raw") {
      if (this.isOpen) this.socket?.send(toRawFrame(payload));
      return true;
    }
    const message: Record<string, unknown> = { type: "message", ...origin, ...toJsonData(payload) };
    if (this.kind === "json") {
      this.sendJson(message);
      return true;
    }
    const frame = this.buffer.push(message);
    if (frame === undefined) return false;
    if (this.isOpen) this.socket?.send(frame);
    return true;
  }

  /** Sends a control message (ack, pong, system) if the socket is open; they are not buffered. */
  sendJson(message: object): void {
    if (this.isOpen) this.socket?.send(JSON.stringify(message));
  }

  /** After recovery: sends every unacknowledged message again, in order. */
  replay(): void {
    for (const frame of this.buffer.pending()) this.socket?.send(frame);
  }
}
