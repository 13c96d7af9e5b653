export { startEmulator } from "./startEmulator.js";
export type {
  EmulatorOptions,
  EntraIdOptions,
  EventHandlerSetting,
  FaultOptions,
  HubSetting,
  ManagedIdentityTokenSource,
  RestFault,
  RunningEmulator,
  TlsOptions,
  UpstreamAuthSettings,
} from "./types.js";
export {
  tokenCredentialSource,
  type TokenCredentialLike,
} from "./upstream/tokenCredentialSource.js";
export { DEFAULT_ACCESS_KEY } from "./types.js";
