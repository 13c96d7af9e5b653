import { installCoreApi } from "../../dev/coreApiShim.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { benchAppSettings } from "../benchSettings.js";

/**
 * What the worker does before the first request: import the entry modules (package.json
 * `main`) and run the start hooks (which validate the settings).
 */
export async function startApp(): Promise<ReturnType<typeof installCoreApi>> {
  Object.assign(process.env, benchAppSettings());
  const registry = installCoreApi(() => undefined);
  await importBuiltFunctions();
  for (const hook of registry.hooks) {
    if (hook.name === "appStart") await hook.callback({ hookData: {} });
  }
  return registry;
}
