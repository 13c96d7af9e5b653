import type { ConnectionContext } from "@azure/web-pubsub-express";
import type { Log } from "../log/log.js";
import type { StateStore } from "../state/stateStore.js";
import type { AckErrorCode } from "./messageTypes.js";

/** Who sent a user event, as the store knows its connection. */
export type Sender =
  | { readonly ok: true; readonly userId: string; readonly roles: readonly string[] }
  | { readonly ok: false; readonly code: AckErrorCode; readonly reason: string };

/**
 * The sender of a user event is the user the store recorded for the connection at `connect`,
 * never `ce-userId` as sent: the signature covers only the connection id. `stored` is a row
 * already read that carries the user (a membership); without one the connection row is read.
 * An unknown connection, a disconnected one, or a `ce-userId` that differs from the stored
 * user is refused and logged as a warning.
 */
export async function identifySender(
  context: ConnectionContext,
  store: StateStore,
  log: Log,
  stored?: { readonly userId: string; readonly roles: readonly string[] },
): Promise<Sender> {
  const row = stored ?? (await store.getConnection(context.hub, context.connectionId));
  if (row === undefined) {
    log.warn(
      "user event refused: the connection was never connected through this app; is 'connect' among the hub's system events?",
    );
    return { ok: false, code: "forbidden", reason: "this connection is not known to the app" };
  }
  if ("state" in row && row.state === "gone") {
    log.warn("user event refused: the connection has disconnected");
    return { ok: false, code: "gone", reason: "this connection is no longer connected" };
  }
  if ((context.userId ?? "") !== row.userId) {
    log.warn("user event refused: ce-userId differs from the connection's user");
    return { ok: false, code: "forbidden", reason: "the user id does not match this connection" };
  }
  return { ok: true, userId: row.userId, roles: row.roles };
}
