/** One upstream event handler of a hub, as in the portal's "event handler settings". */
export interface EventHandlerSetting {
  /** URL with optional `{hub}` and `{event}` placeholders, e.g. `http://localhost:7071/api/events/{event}`. */
  urlTemplate: string;
  /** `*`, a comma-separated list of event names, or one name. No pattern: no user events. */
  userEventPattern?: string;
  /** System events this handler receives. */
  systemEvents?: ("connect" | "connected" | "disconnected")[];
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
  log?: (line: string) => void;
  /** Delays before each upstream retry (5xx, 408, network error). Default [1000, 3000, 5000]. */
  retryDelaysMs?: number[];
  /** How long a dropped reliable connection may be recovered. Default 30 000 ms. */
  recoveryWindowMs?: number;
  /** Timeout of one upstream request (event or validation). Default 100 000 ms. */
  upstreamTimeoutMs?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `Endpoint=http://127.0.0.1:<port>;AccessKey=...;Version=1.0;` with the primary key. */
  readonly connectionString: string;
  setHub(hub: string, setting: HubSetting): void;
  /** Closes all sockets and stops all timers. */
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
