import type { EntraTokenVerifier } from "./auth/EntraTokenVerifier.js";
import type { ConnectionManager } from "./core/ConnectionManager.js";
import type { HubStore } from "./core/HubStore.js";
import type { Faults } from "./faults/Faults.js";
import type { Upstream } from "./upstream/Upstream.js";

/** What the request handlers of the emulator share. */
export interface EmulatorContext {
  /**
   * Every key a REST token may be signed with: the primary, then the secondary if set; none
   * under `disableLocalAuth`.
   */
  readonly accessKeys: readonly string[];
  /**
   * Every key a client token may be signed with, the first signing those `:generateToken`
   * issues: the access keys, or under `disableLocalAuth` a secret of the emulator's own.
   */
  readonly clientTokenKeys: readonly [string, ...string[]];
  /** Entra ID tokens the REST API accepts, if any. */
  readonly entraId: EntraTokenVerifier | undefined;
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
