import type { Config } from "./config.js";
import { PlatformSettingNames as P, SettingNames as S } from "./settingNames.js";

/** Settings that weaken security on purpose; each is logged once when the app starts. */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.allowUnsignedEvents) {
    warnings.push(
      `${S.allowUnsignedEvents} is on: event signatures are NOT verified, only the ?code= of ${S.eventCode}`,
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
    warnings.push(
      `${name} is no longer read: sending to a group needs membership, and ${S.sendGroups} ` +
        `(with the sendToGroup roles) decides which members may send`,
    );
  }
  return warnings;
}
