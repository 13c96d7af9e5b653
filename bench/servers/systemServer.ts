import { startFunctionsHost } from "../../dev/functionsHost.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { loadApp } from "../../dev/loadApp.js";
import { startEmulator } from "../../emulator/index.js";

/**
 * The emulator and the function app (behind the local host) in one process, for the fan-out
 * figure. Announces its endpoints on one JSON line, then prints one `{"rest": …}` line for each
 * REST call the emulator serves, so the runner can count them.
 */
const emulator = await startEmulator({
  port: 0,
  log: (line) => {
    if (line.startsWith("REST ")) process.stdout.write(`${JSON.stringify({ rest: line })}\n`);
  },
});
Object.assign(process.env, {
  AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString,
  AZURE_WEBPUBSUB_HUB: "chat",
  SWITCHBOARD_MESSAGES_PER_MINUTE: "0",
  WEBSITE_AUTH_ENABLED: "True",
});
const app = await loadApp(importBuiltFunctions, () => undefined);
const host = await startFunctionsHost({ port: 0, routes: app.routes, log: () => undefined });
emulator.setHub("chat", {
  eventHandlers: [
    {
      urlTemplate: `${host.url}/api/events/{event}`,
      userEventPattern: "message",
      systemEvents: ["connect", "connected", "disconnected"],
    },
  ],
});
process.stdout.write(`${JSON.stringify({ connectionString: emulator.connectionString })}\n`);
