import { createRequire } from "node:module";

/** What `@azure/functions` hands the worker for each `app.http` / `app.timer` call. */
export interface CoreRegistration {
  readonly metadata: {
    readonly name: string;
    readonly bindings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
  readonly handler: (...args: unknown[]) => unknown;
}

/** What the worker hands `@azure/functions` for one invocation (the parts the library reads). */
export interface CoreInvocationContext {
  readonly invocationId: string;
  readonly metadata: CoreRegistration["metadata"];
  readonly request: {
    readonly invocationId: string;
    readonly inputData: readonly { readonly name: string; readonly data: unknown }[];
    readonly triggerMetadata: Readonly<Record<string, unknown>>;
  };
  readonly state: undefined;
  log(level: string, category: string, message: string): void;
}

/** The library's side of one invocation, driven in the order the worker drives it. */
export interface CoreInvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(
    context: unknown,
    inputs: unknown[],
    handler: CoreRegistration["handler"],
  ): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

/** What `@azure/functions` hands the worker once, when the first function registers. */
export interface CoreProgrammingModel {
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
  getInvocationModel(context: CoreInvocationContext): CoreInvocationModel;
}

export interface CoreRegistry {
  readonly functions: CoreRegistration[];
  readonly hooks: { readonly name: string; readonly callback: (context: unknown) => unknown }[];
  programmingModel?: CoreProgrammingModel;
  /** The library's capabilities, asked once (asking locks `app.setup` and may start its HTTP proxy). */
  capabilities?: Promise<Record<string, string>>;
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
const require = createRequire(import.meta.url);
let installed: CoreRegistry | undefined;
const Module = require("node:module") as { _load: ModuleLoad };

/**
 * Plays the Functions worker's part: `@azure/functions` asks for the module
 * `@azure/functions-core`, which only the worker provides, and registers every function and
 * hook through it. Answering that request captures the app's own registrations, so the local
 * host serves exactly what `app.http` and `app.timer` declared, and can drive invocations through
 * the library's programming model as the worker does. Install before the app loads.
 */
export function installCoreApi(log: (level: string, message: string) => void): CoreRegistry {
  // `@azure/functions` asks for the core API once per process, so there is one registry.
  if (installed) return installed;
  const registry: CoreRegistry = { functions: [], hooks: [] };
  installed = registry;
  const coreApi = {
    setProgrammingModel: (model: CoreProgrammingModel) => {
      registry.programmingModel = model;
    },
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
