import type { ConnectionManager } from "./core/ConnectionManager.js";
import type { HubStore } from "./core/HubStore.js";
import type { Upstream } from "./upstream/Upstream.js";

/** What the request handlers of the emulator share. */
export interface EmulatorContext {
  readonly accessKey: string;
  readonly hubs: HubStore;
  readonly connections: ConnectionManager;
  readonly upstream: Upstream;
  readonly log: (line: string) => void;
}
