/** One upstream event handler of a hub, as in the portal's "event handler settings". */
export interface EventHandlerSetting {
  /** URL with optional `{hub}` and `{event}` placeholders, e.g. `http://localhost:7071/api/events/{event}`. */
  urlTemplate: string;
  /** `*`, a comma-separated list of event names, or one name. No pattern: no user events. */
  userEventPattern?: string;
  /** System events this handler receives. */
  systemEvents?: ("connect" | "connected" | "disconnected")[];
  /**
   * How the emulator authenticates to this handler, as the hub setting's `auth`. With
   * `ManagedIdentity`, every request to the handler (events and the abuse-protection validation)
   * carries `Authorization: Bearer <token>` for `managedIdentity.resource`, from the emulator's
   * `managedIdentity` option. Default: none.
   */
  auth?: UpstreamAuthSettings;
}

/** The `auth` of an event handler setting (the hub resource's `UpstreamAuthSettings`). */
export type UpstreamAuthSettings =
  | { type: "None" }
  | {
      type: "ManagedIdentity";
      /** `resource`: the token's audience, e.g. an app's client id or `api://<id>`. */
      managedIdentity: { resource: string };
    };

/** Where the emulator's own (the service's) managed identity gets its tokens. */
export interface ManagedIdentityTokenSource {
  /** An access token whose audience is `resource`. */
  getToken(resource: string): Promise<string>;
}

/** Microsoft Entra ID access tokens the REST API accepts (audience `https://webpubsub.azure.com`). */
export type EntraIdOptions =
  | {
      /**
       * Where the tenant's OpenID metadata is, without the tenant:
       * `https://login.microsoftonline.com`, or a local stand-in's URL.
       */
      authority: string;
      tenantId: string;
    }
  | {
      /**
       * Tokens are decoded but not verified: only their audience and lifetime are checked, as
       * `AllowUnvalidatedEntraTokens` does in Microsoft's emulator. For trusted local use only.
       */
      allowUnvalidatedTokens: true;
    };

/** A certificate and its private key, PEM, for https and wss. */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface HubSetting {
  eventHandlers: EventHandlerSetting[];
}

export interface EmulatorOptions {
  /** Default 8080; 0 = any free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH". */
  accessKey?: string;
  /**
   * The second access key, as the real service has. When set, upstream events carry a second
   * `sha256=` entry in `ce-signature` and tokens signed with it are accepted. Default: none.
   */
  secondaryAccessKey?: string;
  hubs?: Record<string, HubSetting>;
  /**
   * Accept Microsoft Entra ID tokens on the REST API, as `WebPubSubServiceClient` sends them
   * with a `TokenCredential`. Access-key tokens keep working unless `disableLocalAuth`. Default:
   * access-key tokens only.
   */
  entraId?: EntraIdOptions;
  /**
   * The resource's `disableLocalAuth`: REST calls and client tokens signed with an access key
   * are refused (401), `:generateToken` signs client tokens with a secret of the emulator's own,
   * upstream events carry no `ce-signature`, and the connection string has no `AccessKey`.
   * Needs `entraId`. Default false.
   */
  disableLocalAuth?: boolean;
  /**
   * The service's managed identity: tokens for handlers whose `auth` is `ManagedIdentity`,
   * cached per resource until five minutes before they expire. Required by such handlers.
   */
  managedIdentity?: ManagedIdentityTokenSource;
  /**
   * Serve https and wss (the `url` and connection string become `https://`) as well as plain
   * http and ws, on the same port. `WebPubSubServiceClient` sends Entra ID tokens over https
   * only. Default: plain http and ws.
   */
  tls?: TlsOptions;
  log?: (line: string) => void;
  /** Delays before each upstream retry (5xx, 408, network error). Default [1000, 3000, 5000]. */
  retryDelaysMs?: number[];
  /** How long a dropped reliable connection may be recovered. Default 30 000 ms. */
  recoveryWindowMs?: number;
  /** Timeout of one upstream request (event or validation). Default 100 000 ms. */
  upstreamTimeoutMs?: number;
  /** Test-only misbehaviour, all off by default; change it later with `setFaults`. */
  faults?: FaultOptions;
}

/**
 * Test-only: ways the emulator misbehaves on purpose, as the real service (or the network) can.
 * Everything is off by default.
 */
export interface FaultOptions {
  /**
   * Every upstream event (`true`) or the events with these `ce-eventName`s (`connect`,
   * `connected`, `disconnected`, `message`, custom names) is POSTed a second time right after
   * the first answered, with the very same headers (same `ce-id`, `ce-time`, signature) and body,
   * as a service retry would be. A blocking event's caller (connect, user event) gets the first
   * answer only; the second answer is ignored. The copy is tried once, never retried.
   */
  duplicateEvents?: boolean | readonly string[];
  /**
   * `connected` is held back until the connection ends, then sent right after `disconnected`
   * answered: the handler sees `disconnected` before `connected`. Applies to connections opened
   * while it is on; switching it off sends the held `connected` events at once.
   */
  reorderLifecycle?: boolean;
  /** `disconnected` is never sent (a lost event); the connection is gone all the same. */
  dropDisconnected?: boolean;
  /** Delay, fail or hang REST answers. */
  rest?: RestFault;
}

export interface RestFault {
  /**
   * Which calls: a substring of the URL path (`/api/hubs/chat/:send`, without the query), or a
   * predicate over the method and that path. Default: every call, `/api/health` included.
   */
  match?: string | ((method: string, path: string) => boolean);
  /** Wait this long before handling a matching call (failed, hung or normal). */
  delayMs?: number;
  /** Answer matching calls with this status and a service-shaped error body. */
  failWith?: number;
  /** `Retry-After` (seconds) sent with `failWith` 429 or 503. Default 1. */
  retryAfterSeconds?: number;
  /** Never answer matching calls (until the client gives up or the emulator closes). */
  hang?: boolean;
  /** How many matching calls fail or hang; later ones are handled normally. Default: all. */
  failCount?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`). */
  readonly url: string;
  readonly port: number;
  /**
   * `Endpoint=http://127.0.0.1:<port>;AccessKey=...;Version=1.0;` with the primary key;
   * `Endpoint=...;Version=1.0;` under `disableLocalAuth`.
   */
  readonly connectionString: string;
  setHub(hub: string, setting: HubSetting): void;
  /** Test-only: the faults in force now. */
  readonly faults: Readonly<FaultOptions>;
  /**
   * Test-only: changes the named faults, keeps the others. A key given as `undefined` or `false`
   * switches that fault off; a new `rest` starts its `failCount` afresh.
   */
  setFaults(faults: Partial<FaultOptions>): void;
  /** Test-only: switches every fault off. */
  clearFaults(): void;
  /** Closes all sockets and stops all timers. */
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
