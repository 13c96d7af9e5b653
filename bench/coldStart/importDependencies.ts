import { installCoreApi } from "../../dev/coreApiShim.js";
import { listBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { benchAppSettings } from "../benchSettings.js";

/**
 * The packages the function app imports when it starts. Everything else (cloudevents, zod, the
 * Azure SDKs for tables, REST and identity) is loaded by the first request that needs it. The
 * harness work (settings, the entry list) is done here too, so both variants pay for it alike.
 */
Object.assign(process.env, benchAppSettings());
installCoreApi(() => undefined);
await listBuiltFunctions();
await import("@azure/functions");
