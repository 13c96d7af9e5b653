import { AdminError } from "./adminError.js";

/** The data of an admin send; binary data travels as base64 in the JSON envelope. */
export interface AdminMessage {
  readonly data: unknown;
  readonly encoding?: "base64";
}

/** The message of an admin send, read from the request body by its content type. */
export function readAdminMessage(body: Uint8Array, contentType: string | undefined): AdminMessage {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === undefined || mediaType === "") {
    throw new AdminError(
      415,
      "unsupported_media_type",
      "give the message a Content-Type: application/json, text/plain or application/octet-stream",
    );
  }
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    const text = decodeText(body);
    try {
      return { data: JSON.parse(text) as unknown };
    } catch {
      throw new AdminError(400, "bad_request", "the body is not valid JSON");
    }
  }
  if (mediaType.startsWith("text/")) return { data: decodeText(body) };
  if (mediaType === "application/octet-stream") {
    return { data: Buffer.from(body).toString("base64"), encoding: "base64" };
  }
  throw new AdminError(
    415,
    "unsupported_media_type",
    `'${mediaType.slice(0, 64)}' is not a message type: use application/json, text/plain or application/octet-stream`,
  );
}

function decodeText(body: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new AdminError(400, "bad_request", "the body is not valid UTF-8");
  }
}
