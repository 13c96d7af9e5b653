import type { Config } from "./config/config.js";
import { loadConfig } from "./config/loadConfig.js";
import { EntraTokenVerifier } from "./protocol/entraTokenVerifier.js";
import { RateLimiter } from "./routing/rateLimiter.js";
import type { HubService } from "./service/hubService.js";
import { WebPubSubHubService } from "./service/webPubSubHubService.js";
import type { StateStore } from "./state/stateStore.js";
import { TableAccess } from "./state/tableAccess.js";
import { TableStateStore } from "./state/tableStateStore.js";

/** Everything a request needs: configuration and the clients built from it, once per process. */
export interface Runtime {
  readonly config: Config;
  readonly store: StateStore;
  readonly service: HubService;
  readonly limiter: RateLimiter;
  /** With `SWITCHBOARD_EVENT_AUTH=entra`: checks each event's bearer token, keys cached. */
  readonly eventTokens: EntraTokenVerifier | undefined;
}

export function createRuntime(
  config: Config,
  parts: Partial<Omit<Runtime, "config">> = {},
): Runtime {
  return {
    config,
    store:
      parts.store ??
      new TableStateStore(
        TableAccess.fromConfig(config.storage, config.deadlines.storageMs),
        config.presenceGroups,
      ),
    service:
      parts.service ??
      new WebPubSubHubService(config.service, config.hub, config.deadlines.serviceMs),
    limiter: parts.limiter ?? new RateLimiter(config.messages.perMinute),
    eventTokens:
      parts.eventTokens ??
      (config.eventAuth.mode === "entra"
        ? new EntraTokenVerifier(config.eventAuth, config.deadlines.serviceMs)
        : undefined),
  };
}

let current: Runtime | undefined;

/** The process-wide runtime, built from the environment on first use (clients connect lazily). */
export function getRuntime(): Runtime {
  current ??= createRuntime(loadConfig());
  return current;
}

/** Replaces (or, with undefined, forgets) the process-wide runtime: for hosts and tests. */
export function setRuntime(runtime: Runtime | undefined): void {
  current = runtime;
}
