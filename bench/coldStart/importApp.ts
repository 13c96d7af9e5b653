import { installCoreApi } from "../../dev/coreApiShim.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";

/** The function app's entry modules (package.json `main`), as the worker loads them. */
installCoreApi(() => undefined);
await importBuiltFunctions();
