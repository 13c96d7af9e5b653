/**
 * Reads `ce-connectionState` as `@azure/web-pubsub-express` writes it: base64 of a JSON object.
 * Anything else decodes to an empty state, as the express SDK does.
 */
export function decodeConnectionState(header: string | undefined): Record<string, unknown> {
  if (header === undefined) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
