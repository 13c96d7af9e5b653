/** A message body as the service carries it: the three data types of the protocol. */
export type Payload =
  | { readonly dataType: "text"; readonly text: string }
  | { readonly dataType: "json"; readonly json: unknown; readonly text: string }
  | { readonly dataType: "binary"; readonly bytes: Buffer };

export type DataType = Payload["dataType"];

/** The media type before any `;` parameters, lowercased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Reads a body by its Content-Type as REST sends and upstream answers carry it.
 * Returns undefined for a type the service does not support or JSON that does not parse.
 */
export function payloadFromHttp(
  contentType: string | undefined,
  body: Buffer,
): Payload | undefined {
  const type = mediaType(contentType);
  if (type === "text/plain") return { dataType: "text", text: body.toString("utf8") };
  if (type === "application/octet-stream" || type === "")
    return { dataType: "binary", bytes: body };
  if (type === "application/json" || type === "text/json") {
    const text = body.toString("utf8");
    try {
      return { dataType: "json", json: JSON.parse(text) as unknown, text };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The `dataType`/`data` pair of a JSON subprotocol message. */
export function toJsonData(payload: Payload): { dataType: DataType; data: unknown } {
  switch (payload.dataType) {
    case "text":
      return { dataType: "text", data: payload.text };
    case "json":
      return { dataType: "json", data: payload.json };
    case "binary":
      return { dataType: "binary", data: payload.bytes.toString("base64") };
  }
}

/** What a raw WebSocket client receives: a text frame (string) or a binary frame (Buffer). */
export function toRawFrame(payload: Payload): string | Buffer {
  return payload.dataType === "binary" ? payload.bytes : payload.text;
}

/** The HTTP body and Content-Type an upstream user event carries for a payload. */
export function toHttpBody(payload: Payload): { contentType: string; body: Buffer } {
  switch (payload.dataType) {
    case "text":
      return { contentType: "text/plain", body: Buffer.from(payload.text, "utf8") };
    case "json":
      return { contentType: "application/json", body: Buffer.from(payload.text, "utf8") };
    case "binary":
      return { contentType: "application/octet-stream", body: payload.bytes };
  }
}

/** Reads `dataType` + `data` of a client JSON message; undefined when they do not fit. */
export function payloadFromJsonMessage(dataType: unknown, data: unknown): Payload | undefined {
  const type = dataType ?? "json";
  if (type === "json") {
    const text = JSON.stringify(data ?? null);
    return { dataType: "json", json: data ?? null, text };
  }
  if (type === "text")
    return typeof data === "string" ? { dataType: "text", text: data } : undefined;
  if (type === "binary" || type === "protobuf") {
    return typeof data === "string"
      ? { dataType: "binary", bytes: Buffer.from(data, "base64") }
      : undefined;
  }
  return undefined;
}
