import { installCoreApi } from "../../dev/coreApiShim.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { benchAppSettings } from "../benchSettings.js";

/**
 * What the worker does before the first request: import the entry modules (package.json
 * `main`, of the repository's build or of a deployment package's folder) and run the start
 * hooks (which validate the settings).
 */
export async function startApp(root?: string): Promise<ReturnType<typeof installCoreApi>> {
  Object.assign(process.env, benchAppSettings());
  const registry = installCoreApi(() => undefined);
  await importBuiltFunctions(root);
  for (const hook of registry.hooks) {
    if (hook.name === "appStart") await hook.callback({ hookData: {} });
  }
  return registry;
}
