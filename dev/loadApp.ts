import { installCoreApi } from "./coreApiShim.js";
import { toRouteTable, type HttpRoute, type TimerJob } from "./routeTable.js";

export interface LoadedApp {
  readonly routes: HttpRoute[];
  readonly timers: TimerJob[];
}

/**
 * Loads the function app the way the worker does: capture registrations, import the entry
 * modules, then run the `appStart` hooks (which refuse to start on bad settings).
 */
export async function loadApp(
  importEntries: () => Promise<unknown>,
  log: (level: string, message: string) => void,
  routePrefix = "api",
): Promise<LoadedApp> {
  const registry = installCoreApi(log);
  await importEntries();
  for (const hook of registry.hooks) {
    if (hook.name === "appStart") await hook.callback({ hookData: {} });
  }
  return toRouteTable(registry, routePrefix);
}
