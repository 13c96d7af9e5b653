export interface ServiceConnection {
  /** Endpoint URL with a trailing slash, as `@azure/web-pubsub` normalises it. */
  endpoint: string;
  accessKey: string;
}

/**
 * Parses `Endpoint=…;AccessKey=…;Version=1.0;[Port=…;]` the way `@azure/web-pubsub` reads it
 * (keys case-insensitive, split on the first `=`), but strictly: duplicate keys, a non-http(s)
 * endpoint, a bad port or a missing key are reported instead of being guessed around.
 * Returns the problems found, never the key itself in a message.
 */
export function parseConnectionString(
  value: string,
): { connection: ServiceConnection } | { problem: string } {
  const parsed = connectionStringFields(value);
  if ("problem" in parsed) return parsed;
  const { fields } = parsed;
  const rawEndpoint = fields.get("endpoint");
  const accessKey = fields.get("accesskey");
  if (!rawEndpoint) return { problem: "has no Endpoint" };
  if (!accessKey) return { problem: "has no AccessKey" };
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawEndpoint);
  const url = toHttpUrl(hasScheme ? rawEndpoint : `https://${rawEndpoint}`);
  if (!url) return { problem: "has an Endpoint that is not an http(s) URL" };
  const port = fields.get("port");
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      return { problem: "has a Port outside 1-65535" };
    url.port = String(n);
  }
  return { connection: { endpoint: url.toString(), accessKey } };
}

export function toHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `name=value;` fields of a connection string (names lower-cased, split on the first `=`),
 * or the first problem: a part without a name, or a name given twice.
 */
export function connectionStringFields(
  value: string,
): { fields: Map<string, string> } | { problem: string } {
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    if (at <= 0) return { problem: "has a part without 'name=value'" };
    const key = part.slice(0, at).trim().toLowerCase();
    if (fields.has(key)) return { problem: `names '${key}' twice` };
    fields.set(key, part.slice(at + 1).trim());
  }
  return { fields };
}
