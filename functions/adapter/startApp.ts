import { loadConfig } from "../../shared/config/loadConfig.js";
import { startupWarnings } from "../../shared/config/startupWarnings.js";

/**
 * Runs once when the app starts. Fails closed: a missing or malformed setting throws, naming
 * every problem, and the host reports the app as failed to start. Settings that weaken security
 * on purpose are written to the host log here (invocation logs repeat them on first use). Only
 * the settings are checked here; the clients are built by the first request that needs them.
 */
export function startApp(warn: (message: string) => void = defaultWarn): void {
  for (const warning of startupWarnings(loadConfig())) warn(`Switchboard: ${warning}`);
}

function defaultWarn(message: string): void {
  // The start hook has no InvocationContext; the worker forwards console output to the host log.
  // eslint-disable-next-line no-console
  console.warn(message);
}
