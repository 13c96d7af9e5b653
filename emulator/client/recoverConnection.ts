import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import type { EmulatorContext } from "../EmulatorContext.js";
import type { ClientRequest } from "./clientRequest.js";
import { chosenSubprotocols } from "./chosenSubprotocols.js";

/**
 * A reliable client reconnecting with `awps_connection_id` + `awps_reconnection_token`: within
 * the recovery window it gets its connection back (groups kept, unacked messages replayed, no new
 * upstream `connected`); otherwise the socket opens and closes at once with 1008.
 */
export function recoverConnection(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  server: WebSocketServer,
  context: EmulatorContext,
  request: ClientRequest,
): void {
  const recovery = request.recovery;
  const connection =
    recovery && context.hubs.get(request.hub).connections.get(recovery.connectionId);
  const recoverable =
    connection !== undefined &&
    !connection.ended &&
    connection.kind === "reliable" &&
    connection.reconnectionToken === recovery?.reconnectionToken &&
    connection.subprotocol !== undefined &&
    request.subprotocols.includes(connection.subprotocol);
  const subprotocol = recoverable ? connection.subprotocol : request.subprotocols[0];
  if (subprotocol !== undefined) chosenSubprotocols.set(req, subprotocol);
  server.handleUpgrade(req, socket, head, (ws) => {
    // A refused socket still belongs to a client that may send anything before it closes.
    ws.on("error", () => undefined);
    if (recoverable && !connection.ended) {
      context.connections.resume(connection, ws);
      return;
    }
    const message = "The connection cannot be recovered.";
    ws.send(JSON.stringify({ type: "system", event: "disconnected", message }));
    ws.close(1008, message);
    context.log(`recovery refused for ${recovery?.connectionId ?? "?"}`);
  });
}
