import { GroupPattern } from "../authorization/groupPattern.js";
import type { Config } from "./config.js";
import { ConfigError } from "./configError.js";
import { parseConnectionString, toHttpUrl } from "./parseConnectionString.js";
import {
  PlatformSettingNames as P,
  RetiredSettingNames,
  SettingNames as S,
  type SettingName,
} from "./settingNames.js";
import { SettingsReader, type Env } from "./settingsReader.js";
import { readEventAuth } from "./readEventAuth.js";
import { readStorage } from "./readStorage.js";

const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
const TABLE_PATTERN = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const MAX_FRAME_BYTES = 1024 * 1024;
/** The app role the admin API asks of its callers unless `SWITCHBOARD_ADMIN_ROLE` names another. */
export const DEFAULT_ADMIN_ROLE = "Switchboard.Admin";

/**
 * Validates every setting once and returns a frozen configuration, or throws one `ConfigError`
 * that names every problem. Nothing else in the app reads the environment.
 */
export function loadConfig(env: Env = process.env): Config {
  const read = new SettingsReader(env);

  const hub = read.required(S.hub, "the hub whose events this app handles");
  if (hub !== "" && !HUB_PATTERN.test(hub)) {
    read.problem(
      `${S.hub} must start with a letter and hold at most 128 letters, digits or _\`,.[]`,
    );
  }

  const service = readService(read);
  const signingKeys = [
    service?.auth === "key" ? service.accessKey : read.text(S.accessKey),
    read.text(S.secondaryKey),
  ].filter((key): key is string => key !== undefined);
  const eventAuth = readEventAuth(read, signingKeys);

  const table = read.text(S.table) ?? "Switchboard";
  if (!TABLE_PATTERN.test(table)) {
    read.problem(`${S.table} must be 3-63 letters or digits, starting with a letter`);
  }
  const storage = readStorage(read, table);

  const config: Config = {
    hub,
    service: service
      ? service.auth === "key"
        ? { auth: "key", endpoint: service.endpoint, accessKey: service.accessKey }
        : { auth: "entra", endpoint: service.endpoint }
      : { auth: "entra", endpoint: "" },
    eventAuth,
    allowedOrigins: readAllowedOrigins(read, service?.endpoint),
    storage,
    negotiate: {
      tokenTtlMinutes: read.integer(S.tokenTtlMinutes, 10, 1, 1440),
      roles: read.list(S.tokenRoles),
      groups: read.list(S.tokenGroups),
      allowQueryUserId: read.boolean(S.devQueryUserId, false),
      trustPrincipalHeaders:
        read.text(P.websiteAuthEnabled)?.toLowerCase() === "true" ||
        read.boolean(S.trustPrincipalHeaders, false),
    },
    connect: {
      roles: read.list(S.connectRoles),
      groups: read.list(S.connectGroups),
      allowAnonymous: read.boolean(S.anonymousUsers, false),
      maxConnectionsPerUser: read.integer(S.maxConnectionsPerUser, 0, 0, 1000),
    },
    demoPage: read.boolean(S.demoPage, false),
    admin: { role: read.text(S.adminRole) ?? DEFAULT_ADMIN_ROLE },
    messages: {
      maxBytes: read.integer(S.maxMessageBytes, 64 * 1024, 1, MAX_FRAME_BYTES),
      perMinute: read.integer(S.messagesPerMinute, 600, 0, 1_000_000),
      maxGroupsPerConnection: read.integer(S.maxGroupsPerConnection, 100, 1, 1000),
      echoRawFrames: read.boolean(S.echoRawFrames, false),
    },
    deadlines: {
      storageMs: read.integer(S.storageTimeoutMs, 5000, 50, 60_000),
      serviceMs: read.integer(S.serviceTimeoutMs, 5000, 50, 60_000),
      eventMs: read.integer(S.eventTimeoutMs, 10_000, 100, 120_000),
    },
    presenceGroups: readPresencePatterns(read),
    authorization: {
      joinGroups: readPatterns(read, S.joinGroups, []),
      sendGroups: readPatterns(read, S.sendGroups, ["*"]),
      directMessages: read.boolean(S.directMessages, true),
    },
    retiredSettings: Object.values(RetiredSettingNames).filter(
      (name) => read.text(name) !== undefined,
    ),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return deepFreeze(config);
}

/** A comma-separated pattern list; unset or empty takes the default, `none` means no group. */
function readPatterns(
  read: SettingsReader,
  name: SettingName,
  fallback: readonly string[],
): GroupPattern[] {
  const listed = read.list(name);
  const patterns = listed.length === 0 ? fallback : listed;
  if (patterns.length === 1 && patterns[0] === "none") return [];
  if (patterns.includes("none")) {
    read.problem(`${name} holds 'none' beside other patterns; 'none' stands alone`);
  }
  return patterns.map((pattern) => GroupPattern.fromSetting(pattern));
}

/**
 * Whether a group announces presence is the same for every user, so a `{userId}` part, which
 * stands for the user a check is made for, has no meaning here.
 */
function readPresencePatterns(read: SettingsReader): GroupPattern[] {
  const patterns = readPatterns(read, S.presenceGroups, []);
  if (patterns.some((pattern) => pattern.source.includes("{userId}"))) {
    read.problem(
      `${S.presenceGroups} may not hold {userId}: a group announces presence to every member or to none`,
    );
  }
  return patterns;
}

type ServiceSetting =
  { auth: "key"; endpoint: string; accessKey: string } | { auth: "entra"; endpoint: string };

function readService(read: SettingsReader): ServiceSetting | undefined {
  const connectionString = read.text(S.connectionString);
  if (connectionString !== undefined) {
    const parsed = parseConnectionString(connectionString);
    if ("problem" in parsed) {
      read.problem(`${S.connectionString} ${parsed.problem}`);
      return undefined;
    }
    return { auth: "key", ...parsed.connection };
  }
  const endpoint = read.text(S.endpoint);
  if (endpoint === undefined) {
    read.problem(`${S.connectionString} is missing (or set ${S.endpoint} to use Entra ID)`);
    return undefined;
  }
  const url = toHttpUrl(endpoint);
  if (!url) {
    read.problem(`${S.endpoint} must be an http(s) URL`);
    return undefined;
  }
  return { auth: "entra", endpoint: url.toString() };
}

function readAllowedOrigins(
  read: SettingsReader,
  endpoint: string | undefined,
): Config["allowedOrigins"] {
  const extra = read.list(S.allowedOrigins);
  const hosts = new Set<string>();
  if (endpoint !== undefined) addHost(hosts, new URL(endpoint));
  for (const item of extra) {
    if (item === "*") continue;
    const url = toHttpUrl(item.includes("://") ? item : `https://${item}`);
    if (!url || url.pathname !== "/" || url.search !== "") {
      read.problem(`${S.allowedOrigins} holds '${item}', which is not a host name`);
      continue;
    }
    addHost(hosts, url);
  }
  return { any: extra.includes("*"), hosts };
}

/** The service names itself by host; accept the name with and without an explicit port. */
function addHost(hosts: Set<string>, url: URL): void {
  hosts.add(url.host.toLowerCase());
  hosts.add(url.hostname.toLowerCase());
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
