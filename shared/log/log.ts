/** Structured fields that go with a log line. Never put keys, tokens, signatures or message bodies here. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** The logging surface the core needs; the function adapter backs it with InvocationContext. */
export interface Log {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** `error` is the failure itself, logged whole (stack and cause), never only its message. */
  error(message: string, fields?: LogFields, error?: unknown): void;
}

export const silentLog: Log = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
