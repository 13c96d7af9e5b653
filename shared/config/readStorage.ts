import type { Config } from "./config.js";
import { toHttpUrl } from "./parseConnectionString.js";
import { SettingNames as S, StorageConnectionNames as C } from "./settingNames.js";
import type { SettingsReader } from "./settingsReader.js";
import { storageConnectionProblem } from "./storageConnectionProblem.js";

/** The Functions host's suffixes for an identity-based connection named by a prefix. */
const SUFFIXES = ["accountName", "tableServiceUri", "credential", "clientId"] as const;

/**
 * Where the app's table lives, from the first of these that is set: the connection string
 * `SWITCHBOARD_STORAGE_CONNECTION_STRING`, the identity-based connection `SWITCHBOARD_STORAGE__*`,
 * the connection string `AzureWebJobsStorage`, or the identity-based `AzureWebJobsStorage__*`
 * (`__accountName` or `__tableServiceUri`, with `__credential=managedidentity` and
 * `__clientId` for a user-assigned identity), as the Functions host reads its own connections.
 */
export function readStorage(read: SettingsReader, table: string): Config["storage"] {
  const own = read.text(S.storage);
  if (own !== undefined) return fromConnectionString(read, S.storage, own, table);
  const ownIdentity = fromIdentity(read, C.own, table);
  if (ownIdentity !== undefined) return ownIdentity;
  const host = read.text(S.webJobsStorage);
  if (host !== undefined) return fromConnectionString(read, S.webJobsStorage, host, table);
  const hostIdentity = fromIdentity(read, C.host, table);
  if (hostIdentity !== undefined) return hostIdentity;
  read.problem(
    `${S.webJobsStorage} is missing (or ${S.storage}): the Table Storage connection string, ` +
      `or ${S.webJobsStorage}__accountName for a connection by managed identity`,
  );
  return { auth: "connectionString", connectionString: "", table };
}

function fromConnectionString(
  read: SettingsReader,
  name: string,
  value: string,
  table: string,
): Config["storage"] {
  const problem = storageConnectionProblem(value);
  if (problem !== undefined)
    read.problem(`the Table Storage connection string (${name}) ${problem}`);
  return { auth: "connectionString", connectionString: value, table };
}

function fromIdentity(
  read: SettingsReader,
  prefix: string,
  table: string,
): Config["storage"] | undefined {
  const [accountName, tableServiceUri, credential, clientId] = SUFFIXES.map((suffix) =>
    read.raw(`${prefix}__${suffix}`),
  );
  if (accountName === undefined && tableServiceUri === undefined) {
    if (credential !== undefined || clientId !== undefined) {
      read.problem(`${prefix}__credential or __clientId is set without ${prefix}__accountName`);
    }
    return undefined;
  }
  let endpoint: string;
  if (tableServiceUri !== undefined) {
    const url = toHttpUrl(tableServiceUri);
    if (url?.protocol !== "https:") {
      read.problem(`${prefix}__tableServiceUri must be an https URL`);
      return undefined;
    }
    endpoint = url.toString().replace(/\/$/, "");
  } else {
    if (!/^[a-z0-9]{3,24}$/.test(accountName ?? "")) {
      read.problem(
        `${prefix}__accountName must be a storage account name (3-24 lower-case letters or digits)`,
      );
      return undefined;
    }
    endpoint = `https://${accountName ?? ""}.table.core.windows.net`;
  }
  if (credential !== undefined && credential.toLowerCase() !== "managedidentity") {
    read.problem(`${prefix}__credential must be managedidentity (or be left out)`);
  }
  return {
    auth: "identity",
    endpoint,
    credential: credential === undefined ? "default" : "managedidentity",
    ...(clientId === undefined ? {} : { clientId }),
    table,
  };
}
