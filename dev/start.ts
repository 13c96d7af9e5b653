#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEmulator } from "../emulator/index.js";
import { DEFAULT_ADMIN_ROLE } from "../shared/config/loadConfig.js";
import { startFunctionsHost } from "./functionsHost.js";
import { importBuiltFunctions, repositoryRoot as root } from "./importBuiltFunctions.js";
import { loadApp } from "./loadApp.js";
import { ensurePortFree } from "./portCheck.js";
import { readRoutePrefix } from "./routePrefix.js";
import { startAzurite } from "./startAzurite.js";

const PORTS = { tables: 10002, emulator: 8080, functions: 7071 } as const;
const HUB = "chat";
/** What `npm start` lets anyone join when the local settings name no groups: the demo's own. */
const DEMO_JOIN_GROUPS = "lobby,room-*";

/**
 * `npm start`: Azurite (tables), the Web PubSub emulator and the function app on localhost,
 * wired together, with the demo chat page. Ctrl-C stops everything it started.
 */
async function main(): Promise<void> {
  await ensurePortFree(PORTS.tables, "Table Storage (Azurite)");
  await ensurePortFree(PORTS.emulator, "the Web PubSub emulator");
  await ensurePortFree(PORTS.functions, "the function app");

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(0)));
  process.once("SIGTERM", () => void stopAll().then(() => process.exit(0)));
  process.once("uncaughtException", (error) => {
    console.error(`stopping after an unexpected error: ${error.message}`);
    void stopAll().then(() => process.exit(1));
  });

  try {
    const azurite = await startAzurite(PORTS.tables);
    stops.push(() => azurite.stop());
    const emulator = await startEmulator({
      port: PORTS.emulator,
      hubs: {
        [HUB]: {
          eventHandlers: [
            {
              urlTemplate: `http://localhost:${PORTS.functions}/api/events/{event}`,
              userEventPattern: "message",
              systemEvents: ["connect", "connected", "disconnected"],
            },
          ],
        },
      },
      log: (line) => console.log(`[emulator] ${line}`),
    });
    stops.push(() => emulator.close());

    const settings = await localSettings();
    // The demo page joins `lobby` (or a room the user types): groups anyone may join unless the
    // local settings name their own.
    const joinGroups = settings.SWITCHBOARD_JOIN_GROUPS?.trim() || DEMO_JOIN_GROUPS;
    Object.assign(process.env, settings, {
      SWITCHBOARD_JOIN_GROUPS: joinGroups,
      AZURE_WEBPUBSUB_CONNECTION_STRING: emulator.connectionString,
      AZURE_WEBPUBSUB_HUB: HUB,
      AzureWebJobsStorage: azurite.connectionString,
      SWITCHBOARD_STORAGE_CONNECTION_STRING: azurite.connectionString,
      SWITCHBOARD_DEV_ALLOW_QUERY_USER_ID: "true",
      // The host listens on 127.0.0.1 only: principal headers can come from this machine alone.
      SWITCHBOARD_TRUST_PRINCIPAL_HEADERS: "true",
      SWITCHBOARD_DEMO_PAGE: "true",
    });
    const app = await loadApp(
      importBuiltFunctions,
      (level, message) => console.log(`[app] ${level}: ${message}`),
      await readRoutePrefix(root),
    );
    const host = await startFunctionsHost({
      port: PORTS.functions,
      routes: app.routes,
      timers: app.timers,
      log: (line) => console.log(`[functions] ${line}`),
    });
    stops.push(() => host.close());

    console.log(`
Switchboard is running on this machine:
  Table Storage (Azurite)  ${azurite.endpoint}
  Web PubSub emulator      ${emulator.url}  (hub "${HUB}"; events go to ${host.url}/api/events/{event})
  Function app             ${host.url}/api
  Chat page                ${host.url}/api/chat   <- open it in two browser tabs
  Groups anyone may join   ${joinGroups}   (SWITCHBOARD_JOIN_GROUPS)

${adminHelp(`${host.url}/api`, settings.SWITCHBOARD_ADMIN_ROLE?.trim() || DEFAULT_ADMIN_ROLE)}

Ctrl-C stops everything.`);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** local.settings.json when present (else the sample): the user's own choices of roles, limits… */
async function localSettings(): Promise<Record<string, string>> {
  for (const name of ["local.settings.json", "local.settings.sample.json"]) {
    try {
      const parsed = JSON.parse(await readFile(path.join(root, name), "utf8")) as {
        Values?: Record<string, string>;
      };
      return parsed.Values ?? {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return {};
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

/**
 * How to call the admin API from a shell: the principal headers App Service Authentication
 * would set for a caller holding the admin role (trusted here, as the host is local only).
 */
function adminHelp(base: string, role: string): string {
  const principal = Buffer.from(
    JSON.stringify({ auth_typ: "aad", role_typ: "roles", claims: [{ typ: "roles", val: role }] }),
  ).toString("base64");
  return `Admin API (role ${role}; requests.http has every route), e.g. an announcement to lobby:
  curl -i -X POST "${base}/admin/groups/lobby/send" \\
    -H "x-ms-client-principal-id: local-admin" -H "x-ms-client-principal-name: local-admin" \\
    -H "x-ms-client-principal-idp: aad" -H "x-ms-client-principal: ${principal}" \\
    -H "Content-Type: text/plain" --data "Back in five minutes"`;
}
