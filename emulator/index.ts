export { startEmulator } from "./startEmulator.js";
export type {
  EmulatorOptions,
  EventHandlerSetting,
  FaultOptions,
  HubSetting,
  RestFault,
  RunningEmulator,
  TlsOptions,
} from "./types.js";
export { DEFAULT_ACCESS_KEY } from "./types.js";
