const MAX_MESSAGES = 1000;
const MAX_BYTES = 16 * 1024 * 1024;

/** Sequence numbering and the unacknowledged messages of a reliable connection. */
export class ReliableBuffer {
  private lastSequenceId = 0;
  private bytes = 0;
  private readonly frames: { sequenceId: number; frame: string }[] = [];

  /** Numbers and buffers a message; returns its frame, or undefined when the buffer is full. */
  push(message: Record<string, unknown>): string | undefined {
    const sequenceId = ++this.lastSequenceId;
    const frame = JSON.stringify({ ...message, sequenceId });
    const size = Buffer.byteLength(frame);
    if (this.frames.length >= MAX_MESSAGES || this.bytes + size > MAX_BYTES) return undefined;
    this.frames.push({ sequenceId, frame });
    this.bytes += size;
    return frame;
  }

  /** Drops every message up to and including `sequenceId`. */
  ack(sequenceId: number): void {
    while (this.frames.length > 0 && (this.frames[0]?.sequenceId ?? Infinity) <= sequenceId) {
      const dropped = this.frames.shift();
      if (dropped) this.bytes -= Buffer.byteLength(dropped.frame);
    }
  }

  pending(): string[] {
    return this.frames.map((entry) => entry.frame);
  }
}
