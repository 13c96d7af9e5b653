import { randomBytes } from "node:crypto";
import { WebSocketServer } from "ws";
import { EntraTokenVerifier } from "./auth/EntraTokenVerifier.js";
import { chosenSubprotocols } from "./client/chosenSubprotocols.js";
import { handleFrame } from "./client/handleFrame.js";
import { handleUpgrade } from "./client/handleUpgrade.js";
import { rejectUpgrade } from "./client/rejectUpgrade.js";
import { ConnectionManager } from "./core/ConnectionManager.js";
import { HubStore } from "./core/HubStore.js";
import type { EmulatorContext } from "./EmulatorContext.js";
import { Faults } from "./faults/Faults.js";
import { handleRest } from "./rest/handleRest.js";
import { DEFAULT_ACCESS_KEY, type EmulatorOptions, type RunningEmulator } from "./types.js";
import { ManagedIdentityTokens } from "./upstream/ManagedIdentityTokens.js";
import { Upstream } from "./upstream/Upstream.js";
import { WebServer } from "./WebServer.js";

const MAX_FRAME_BYTES = 1024 * 1024;

/** Starts a local Azure Web PubSub service: REST API, client WebSockets and upstream events. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const accessKey = options.accessKey ?? DEFAULT_ACCESS_KEY;
  const secondary = options.secondaryAccessKey;
  const keys: [string, ...string[]] =
    secondary === undefined || secondary === "" ? [accessKey] : [accessKey, secondary];
  const localAuth = options.disableLocalAuth !== true;
  if (!localAuth && options.entraId === undefined) {
    throw new Error("disableLocalAuth leaves the REST API no way in: set entraId too.");
  }
  const accessKeys = localAuth ? keys : [];
  const log = options.log ?? (() => undefined);
  const server = new WebServer(options.tls);
  const port = await server.listen(options.port ?? 8080, host);
  const hostname = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const scheme = options.tls === undefined ? "http" : "https";
  const url = `${scheme}://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

  const hubs = new HubStore();
  const faults = new Faults(options.faults);
  const closed = new AbortController();
  let upstream: Upstream;
  try {
    upstream = new Upstream({
      accessKeys,
      managedIdentity: new ManagedIdentityTokens(options.managedIdentity),
      origin: { hostname, host: new URL(url).host },
      hubs: options.hubs ?? {},
      retryDelaysMs: options.retryDelaysMs ?? [1000, 3000, 5000],
      timeoutMs: options.upstreamTimeoutMs ?? 100_000,
      log,
      faults,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const connections = new ConnectionManager(
    hubs,
    upstream,
    options.recoveryWindowMs ?? 30_000,
    log,
  );
  const context: EmulatorContext = {
    accessKeys,
    // Under disableLocalAuth, :generateToken signs with a secret no caller can know.
    clientTokenKeys: localAuth ? keys : [randomBytes(32).toString("base64")],
    entraId: options.entraId && new EntraTokenVerifier(options.entraId),
    host: new URL(url).host,
    hubs,
    connections,
    upstream,
    log,
    faults,
    closed: closed.signal,
  };
  connections.onFrame = (connection, data, isBinary) =>
    handleFrame(context, connection, data, isBinary);

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (_offered, request) => chosenSubprotocols.get(request) ?? false,
  });
  server.serve(
    (req, res) => {
      void handleRest(req, res, context);
    },
    (req, socket, head) => {
      handleUpgrade(req, socket, head, sockets, context).catch((error: unknown) => {
        log(`upgrade failed: ${String(error)}`);
        rejectUpgrade(socket, 500, "The emulator failed to accept the client.");
      });
    },
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    connectionString: localAuth
      ? `Endpoint=${url};AccessKey=${accessKey};Version=1.0;`
      : `Endpoint=${url};Version=1.0;`,
    setHub: (hub, setting) => upstream.setHub(hub, setting),
    get faults() {
      return faults.current;
    },
    setFaults: (partial) => faults.set(partial),
    clearFaults: () => faults.clear(),
    close: async () => {
      closing ??= (async () => {
        closed.abort();
        upstream.close();
        connections.shutdown();
        for (const socket of sockets.clients) socket.terminate();
        sockets.close();
        await server.close();
      })();
      await closing;
    },
  };
}
