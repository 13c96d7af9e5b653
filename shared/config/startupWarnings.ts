import type { Config } from "./config.js";
import {
  PlatformSettingNames as P,
  RetiredSettingNames as R,
  SettingNames as S,
  type RetiredSettingName,
} from "./settingNames.js";

const RETIRED_BECAUSE: Record<RetiredSettingName, string> = {
  [R.sendRequiresMembership]: `sending to a group needs membership, and ${S.sendGroups} (with the sendToGroup roles) decides which members may send`,
  [R.allowUnsignedEvents]: `events are authenticated by signature or, with ${S.eventAuth}=entra, by Entra ID token`,
  [R.eventCode]: `events are authenticated by signature or, with ${S.eventAuth}=entra, by Entra ID token`,
};

/** Settings that weaken security on purpose; each is logged once when the app starts. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.eventAuth.mode === "entra" && config.eventAuth.identity === undefined) {
    warnings.push(
      `${S.eventIdentity} is not set: any identity of the tenant holding a token for ` +
        `${S.eventAudience} may post events; set it to the Web PubSub resource's managed identity`,
    );
  }
  if (config.negotiate.allowQueryUserId) {
    warnings.push(`${S.devQueryUserId} is on: negotiate trusts ?userId= (development only)`);
  }
  if (!config.negotiate.trustPrincipalHeaders && !config.negotiate.allowQueryUserId) {
    warnings.push(
      `negotiate refuses every caller until App Service Authentication is on (${P.websiteAuthEnabled}) ` +
        `or ${S.trustPrincipalHeaders} is set behind a front end that strips x-ms-client-principal headers`,
    );
  }
  if (config.allowedOrigins.any) {
    warnings.push(`${S.allowedOrigins} holds '*': the handshake accepts any origin`);
  }
  if (config.connect.allowAnonymous) {
    warnings.push(`${S.anonymousUsers} is on: connections without a user id are accepted`);
  }
  if (config.messages.echoRawFrames) {
    warnings.push(`${S.echoRawFrames} is on: text and binary frames are echoed to their sender`);
  }
  for (const name of config.retiredSettings) {
    warnings.push(`${name} is no longer read: ${RETIRED_BECAUSE[name]}`);
  }
  return warnings;
}
