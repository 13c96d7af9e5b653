import { installCoreApi } from "../dev/coreApiShim.js";

// Functions register with a stand-in for the worker's core API, as in the local host, instead of
// `@azure/functions` falling back to its test mode (and warning on every registration).
installCoreApi(() => undefined);
