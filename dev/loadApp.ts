import { installCoreApi } from "./coreApiShim.js";
import { toRouteTable, type HttpRoute, type TimerJob } from "./routeTable.js";

export interface LoadedApp {
  readonly routes: HttpRoute[];
  readonly timers: TimerJob[];
}

/**
 * Loads the function app the way the worker does: capture registrations, import the entry
 * modules, run the `appStart` hooks (which refuse to start on bad settings), then ask the
 * library for its capabilities, as the worker does before the host sends invocations. Asking
 * locks `app.setup`; when the app asked for HTTP streams the library starts its HTTP proxy and
 * names it (`HttpUri`), and the HTTP routes are then served through it.
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
  const model = registry.programmingModel;
  registry.capabilities ??= model?.getCapabilities({}) ?? Promise.resolve({});
  const httpUri = (await registry.capabilities).HttpUri;
  const proxy = model !== undefined && httpUri !== undefined ? { url: httpUri, model } : undefined;
  return toRouteTable(registry, routePrefix, proxy);
}
