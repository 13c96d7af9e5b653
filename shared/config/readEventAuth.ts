import type { Config } from "./config.js";
import { toHttpUrl } from "./parseConnectionString.js";
import { RetiredSettingNames as R, SettingNames as S } from "./settingNames.js";
import type { SettingsReader } from "./settingsReader.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";

/**
 * How every event proves it comes from the service: `signature` (the default) checks
 * `ce-signature` against the access keys; `entra` checks an Entra ID bearer token, the hub's
 * event handler having managed-identity authentication. Either way a setting missing for the
 * chosen mode stops the app from starting (fail closed).
 */
export function readEventAuth(
  read: SettingsReader,
  signingKeys: readonly string[],
): Config["eventAuth"] {
  if (read.boolean(R.allowUnsignedEvents, false)) {
    read.problem(
      `${R.allowUnsignedEvents} and its ?code= are gone: authenticate events with the access ` +
        `keys or set ${S.eventAuth}=entra with the hub's event handler using a managed identity`,
    );
  }
  const mode = read.text(S.eventAuth)?.toLowerCase() ?? "signature";
  if (mode === "signature") {
    if (signingKeys.length === 0) {
      read.problem(
        `no access key to verify event signatures: set ${S.accessKey} (the hub's access key), ` +
          `or ${S.eventAuth}=entra when the hub's event handler authenticates with a managed identity`,
      );
    }
    return { mode: "signature", signingKeys };
  }
  if (mode !== "entra") {
    read.problem(`${S.eventAuth} must be 'signature' or 'entra', not '${mode.slice(0, 32)}'`);
    return { mode: "signature", signingKeys };
  }

  const audiences = read.list(S.eventAudience);
  if (audiences.length === 0) {
    read.problem(
      `${S.eventAuth}=entra needs ${S.eventAudience}: the resource (App ID URI or client id) ` +
        `the hub's event handler requests its token for`,
    );
  }
  const tenantId = read.text(S.eventTenantId) ?? "";
  if (!GUID.test(tenantId)) {
    read.problem(
      `${S.eventAuth}=entra needs ${S.eventTenantId}: the directory (tenant) id, a GUID`,
    );
  }
  const identity = read.text(S.eventIdentity);
  return {
    mode: "entra",
    audiences,
    tenantId: tenantId.toLowerCase(),
    identity: identity?.toLowerCase(),
    authority: readAuthority(read),
  };
}

/** The Entra ID host: https, or plain http on loopback only (a local test issuer). */
function readAuthority(read: SettingsReader): string {
  const value = read.text(S.entraAuthority) ?? DEFAULT_AUTHORITY;
  const url = toHttpUrl(value);
  const loopback = url !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url === undefined || (url.protocol !== "https:" && !loopback) || url.search !== "") {
    read.problem(`${S.entraAuthority} must be an https URL, e.g. ${DEFAULT_AUTHORITY}`);
    return DEFAULT_AUTHORITY;
  }
  return url.toString().replace(/\/+$/, "");
}
