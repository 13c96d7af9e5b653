import { parseArgs } from "node:util";
import type { EmulatorOptions, EventHandlerSetting } from "./types.js";

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
  --help`;

const SYSTEM_EVENTS = ["connect", "connected", "disconnected"] as const;
type SystemEvent = (typeof SYSTEM_EVENTS)[number];

export type CliArgs = { help: true } | { help: false; options: EmulatorOptions };

/**
 * Reads the CLI flags, with EMULATOR_PORT, EMULATOR_ACCESS_KEY and EMULATOR_SECONDARY_ACCESS_KEY
 * as fallbacks. Throws on errors.
 */
export function parseCliArgs(args: string[], env: NodeJS.ProcessEnv = {}): CliArgs {
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
  const handlers: EventHandlerSetting[] = (values.handler ?? []).map((urlTemplate) => ({
    urlTemplate,
    userEventPattern: values["user-event-pattern"] ?? "*",
    systemEvents: systemEvents as SystemEvent[],
  }));
  const hubNames = values.hub ?? [];
  if (handlers.length > 0 && hubNames.length === 0) {
    throw new Error("--handler needs at least one --hub.");
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
  return { help: false, options };
}
