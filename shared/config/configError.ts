/** Start-up refused: one message naming every missing or malformed setting. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Switchboard cannot start; fix these settings:\n- ${problems.join("\n- ")}`);
    this.name = "ConfigError";
  }
}
