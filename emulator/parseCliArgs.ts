import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { EmulatorOptions, EntraIdOptions, EventHandlerSetting } from "./types.js";

export const CLI_USAGE = `Usage: switchboard-emulator [options]
  --port <n>                 port (env EMULATOR_PORT, default 8080; 0 = any free port)
  --host <host>              interface (default 127.0.0.1)
  --access-key <key>         access key (env EMULATOR_ACCESS_KEY)
  --secondary-access-key <key>
                             second access key: events signed with both, tokens with
                             either accepted (env EMULATOR_SECONDARY_ACCESS_KEY)
  --hub <name>               hub the handlers below apply to (repeatable)
  --handler <urlTemplate>    event handler URL template with {hub}/{event} (repeatable)
  --system-events <list>     default connect,connected,disconnected
  --user-event-pattern <p>   default *
  --managed-identity-resource <resource>
                             the handlers get a bearer token for <resource> (from
                             DefaultAzureCredential, scope <resource>/.default)
  --entra-tenant <id>        accept Entra ID tokens of this tenant on the REST API
  --entra-authority <url>    default https://login.microsoftonline.com
  --allow-unvalidated-entra-tokens
                             accept Entra ID tokens checking audience and lifetime only
  --disable-local-auth       refuse access-key tokens (needs an Entra ID flag)
  --tls-cert <file>          PEM certificate: serve https/wss too (with --tls-key)
  --tls-key <file>           PEM private key of --tls-cert
  --help`;

const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";

const SYSTEM_EVENTS = ["connect", "connected", "disconnected"] as const;
type SystemEvent = (typeof SYSTEM_EVENTS)[number];

export type CliArgs = { help: true } | { help: false; options: EmulatorOptions };

/**
 * Reads the CLI flags, with EMULATOR_PORT, EMULATOR_ACCESS_KEY and EMULATOR_SECONDARY_ACCESS_KEY
 * as fallbacks, and the files `--tls-cert`/`--tls-key` name. Throws on errors.
 */
export function parseCliArgs(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): CliArgs {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "access-key": { type: "string" },
      "secondary-access-key": { type: "string" },
      hub: { type: "string", multiple: true },
      handler: { type: "string", multiple: true },
      "system-events": { type: "string" },
      "user-event-pattern": { type: "string" },
      "managed-identity-resource": { type: "string" },
      "entra-tenant": { type: "string" },
      "entra-authority": { type: "string" },
      "allow-unvalidated-entra-tokens": { type: "boolean" },
      "disable-local-auth": { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help === true) return { help: true };
  const portText = values.port ?? env.EMULATOR_PORT ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid port '${portText}'.`);
  }
  const systemEvents = (values["system-events"] ?? SYSTEM_EVENTS.join(","))
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = systemEvents.filter(
    (name) => !(SYSTEM_EVENTS as readonly string[]).includes(name),
  );
  if (unknown.length > 0) throw new Error(`Unknown system events: ${unknown.join(", ")}.`);
  const resource = values["managed-identity-resource"];
  const handlers: EventHandlerSetting[] = (values.handler ?? []).map((urlTemplate) => ({
    urlTemplate,
    userEventPattern: values["user-event-pattern"] ?? "*",
    systemEvents: systemEvents as SystemEvent[],
    ...(resource === undefined
      ? {}
      : { auth: { type: "ManagedIdentity", managedIdentity: { resource } } }),
  }));
  const hubNames = values.hub ?? [];
  if (handlers.length > 0 && hubNames.length === 0) {
    throw new Error("--handler needs at least one --hub.");
  }
  if (resource !== undefined && handlers.length === 0) {
    throw new Error("--managed-identity-resource needs at least one --handler.");
  }
  const options: EmulatorOptions = {
    port,
    hubs: Object.fromEntries(hubNames.map((hub) => [hub, { eventHandlers: handlers }])),
  };
  if (values.host !== undefined) options.host = values.host;
  const accessKey = values["access-key"] ?? env.EMULATOR_ACCESS_KEY;
  if (accessKey !== undefined && accessKey !== "") options.accessKey = accessKey;
  const secondaryAccessKey = values["secondary-access-key"] ?? env.EMULATOR_SECONDARY_ACCESS_KEY;
  if (secondaryAccessKey !== undefined && secondaryAccessKey !== "") {
    options.secondaryAccessKey = secondaryAccessKey;
  }
  const entraId = entraIdOf(values);
  if (entraId !== undefined) options.entraId = entraId;
  if (values["disable-local-auth"] === true) {
    if (entraId === undefined) {
      throw new Error(
        "--disable-local-auth needs --entra-tenant or --allow-unvalidated-entra-tokens.",
      );
    }
    options.disableLocalAuth = true;
  }
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error("--tls-cert and --tls-key go together.");
  }
  if (certFile !== undefined && keyFile !== undefined) {
    options.tls = { cert: read(readFile, certFile), key: read(readFile, keyFile) };
  }
  return { help: false, options };
}

function entraIdOf(values: {
  "entra-tenant"?: string | undefined;
  "entra-authority"?: string | undefined;
  "allow-unvalidated-entra-tokens"?: boolean | undefined;
}): EntraIdOptions | undefined {
  const tenantId = values["entra-tenant"];
  const authority = values["entra-authority"];
  if (values["allow-unvalidated-entra-tokens"] === true) {
    if (tenantId !== undefined || authority !== undefined) {
      throw new Error(
        "--allow-unvalidated-entra-tokens excludes --entra-tenant and --entra-authority.",
      );
    }
    return { allowUnvalidatedTokens: true };
  }
  if (tenantId === undefined) {
    if (authority !== undefined) throw new Error("--entra-authority needs --entra-tenant.");
    return undefined;
  }
  return { authority: authority ?? DEFAULT_AUTHORITY, tenantId };
}

function read(readFile: (path: string) => Buffer, path: string): Buffer {
  try {
    return readFile(path);
  } catch (error) {
    throw new Error(
      `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
