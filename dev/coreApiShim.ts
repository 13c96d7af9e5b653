import { createRequire } from "node:module";

/** What `@azure/functions` hands the worker for each `app.http` / `app.timer` call. */
export interface CoreRegistration {
  readonly metadata: {
    readonly name: string;
    readonly bindings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
  readonly handler: (...args: unknown[]) => unknown;
}

export interface CoreRegistry {
  readonly functions: CoreRegistration[];
  readonly hooks: { readonly name: string; readonly callback: (context: unknown) => unknown }[];
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
const require = createRequire(import.meta.url);
let installed: CoreRegistry | undefined;
const Module = require("node:module") as { _load: ModuleLoad };

/**
 * Plays the Functions worker's part: `@azure/functions` asks for the module
 * `@azure/functions-core`, which only the worker provides, and registers every function and
 * hook through it. Answering that request captures the app's own registrations, so the local
 * host serves exactly what `app.http` and `app.timer` declared. Install before the app loads.
 */
export function installCoreApi(log: (level: string, message: string) => void): CoreRegistry {
  // `@azure/functions` asks for the core API once per process, so there is one registry.
  if (installed) return installed;
  const registry: CoreRegistry = { functions: [], hooks: [] };
  installed = registry;
  const coreApi = {
    setProgrammingModel: () => undefined,
    registerFunction: (
      metadata: CoreRegistration["metadata"],
      handler: CoreRegistration["handler"],
    ) => {
      registry.functions.push({ metadata, handler });
      return { dispose: () => undefined };
    },
    registerHook: (name: string, callback: (context: unknown) => unknown) => {
      registry.hooks.push({ name, callback });
      return { dispose: () => undefined };
    },
    log: (level: string, _category: string, message: string) => log(level, message),
  };
  const original = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === "@azure/functions-core") return coreApi;
    return original.call(this, request, parent, isMain);
  };
  return registry;
}
