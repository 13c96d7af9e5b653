#!/usr/bin/env node
import { CLI_USAGE, parseCliArgs, type CliArgs } from "./parseCliArgs.js";
import { startEmulator } from "./startEmulator.js";
import { tokenCredentialSource } from "./upstream/tokenCredentialSource.js";

async function main(): Promise<number> {
  let parsed: CliArgs;
  try {
    parsed = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${CLI_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    console.log(CLI_USAGE);
    return 0;
  }
  const { options } = parsed;
  const host = options.host ?? "127.0.0.1";
  try {
    const usesManagedIdentity = Object.values(options.hubs ?? {}).some((hub) =>
      hub.eventHandlers.some((handler) => handler.auth?.type === "ManagedIdentity"),
    );
    if (usesManagedIdentity) {
      const { DefaultAzureCredential } = await import("@azure/identity");
      options.managedIdentity = tokenCredentialSource(new DefaultAzureCredential());
    }
    const emulator = await startEmulator({
      ...options,
      log: (line) => console.log(`${new Date().toISOString()} ${line}`),
    });
    console.log(`Web PubSub emulator listening on ${emulator.url}`);
    console.log(`Connection string: ${emulator.connectionString}`);
    for (const [hub, setting] of Object.entries(options.hubs ?? {})) {
      for (const handler of setting.eventHandlers) {
        const auth = handler.auth?.type === "ManagedIdentity" ? handler.auth : undefined;
        const bearer = auth ? ` (bearer token for ${auth.managedIdentity.resource})` : "";
        console.log(`hub ${hub} → ${handler.urlTemplate}${bearer}`);
      }
    }
    const stop = () => {
      void emulator.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return -1;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      console.error(
        `Port ${options.port ?? 8080} on ${host} is already in use; pass --port or set EMULATOR_PORT.`,
      );
    } else if (code === "EACCES" || code === "EADDRNOTAVAIL") {
      console.error(`Cannot listen on ${host}:${options.port ?? 8080} (${code}).`);
    } else {
      console.error(
        `The emulator failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return 1;
  }
}

const exitCode = await main();
if (exitCode >= 0) process.exit(exitCode);
