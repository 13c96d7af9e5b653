import { installCoreApi } from "../../dev/coreApiShim.js";
import { listBuiltFunctions } from "../../dev/importBuiltFunctions.js";

/**
 * The packages the function app imports when it starts. Everything else (cloudevents, zod, the
 * Azure SDKs for tables, REST and identity) is loaded by the first request that needs it. The
 * entry list is read here too, so both variants pay the same harness cost.
 */
installCoreApi(() => undefined);
await listBuiltFunctions();
await import("@azure/functions");
