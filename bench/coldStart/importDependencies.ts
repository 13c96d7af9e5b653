import { installCoreApi } from "../../dev/coreApiShim.js";
// Loaded (not called) so both variants pay for the same harness modules.
import "../../dev/importBuiltFunctions.js";

/**
 * The packages the function app imports when it starts. Everything else (cloudevents, zod, the
 * Azure SDKs for tables, REST and identity) is loaded by the first request that needs it.
 */
installCoreApi(() => undefined);
await import("@azure/functions");
