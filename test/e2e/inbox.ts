import type { WebPubSubClient } from "@azure/web-pubsub-client";
import { eventually } from "./eventually.js";

/** Everything a client received, by kind, for assertions that wait without fixed sleeps. */
export class Inbox {
  readonly group: { group: string; data: unknown }[] = [];
  readonly server: unknown[] = [];

  constructor(client: WebPubSubClient) {
    client.on("group-message", (event) =>
      this.group.push({ group: event.message.group, data: event.message.data }),
    );
    client.on("server-message", (event) => this.server.push(event.message.data));
  }

  /** The ack the app sent for the message with this id. */
  async ack(id: string | number): Promise<Record<string, unknown>> {
    const found = await eventually(
      () => this.server.find((data) => isRecord(data) && data.type === "ack" && data.id === id),
      (value) => value !== undefined,
    );
    return found as Record<string, unknown>;
  }

  /** Envelopes received (group or direct), optionally waiting for at least `count`. */
  async envelopes(count = 0): Promise<Record<string, unknown>[]> {
    const all = () =>
      [...this.group.map((m) => m.data), ...this.server].filter(
        (data): data is Record<string, unknown> => isRecord(data) && data.type === "message",
      );
    return await eventually(all, (found) => found.length >= count);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
