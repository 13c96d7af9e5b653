import type { ConnectionManager } from "./core/ConnectionManager.js";
import type { HubStore } from "./core/HubStore.js";
import type { Faults } from "./faults/Faults.js";
import type { Upstream } from "./upstream/Upstream.js";

/** What the request handlers of the emulator share. */
export interface EmulatorContext {
  /** The primary access key: it signs the tokens the emulator issues. */
  readonly accessKey: string;
  /** Every key a token may be signed with: the primary, then the secondary if set. */
  readonly accessKeys: readonly string[];
  /** The emulator's own host:port, as in its URL. */
  readonly host: string;
  readonly hubs: HubStore;
  readonly connections: ConnectionManager;
  readonly upstream: Upstream;
  readonly log: (line: string) => void;
  /** Test-only misbehaviour (REST delays, failures, hangs). */
  readonly faults: Faults;
  /** Aborted when the emulator closes. */
  readonly closed: AbortSignal;
}
