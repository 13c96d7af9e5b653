import type { HttpRequest } from "@azure/functions";
import { HttpError } from "../../shared/errors.js";
import { HeaderNames } from "../../shared/protocol/headerNames.js";

/**
 * Reads a request body up to `maxBytes`, refusing larger ones with 413 as soon as the declared
 * length or the bytes read so far pass the limit (a huge body is never buffered whole).
 */
export async function readLimitedBody(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const length = request.headers.get(HeaderNames.contentLength);
  const declared = length === null ? undefined : Number(length);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  // A declared length within the limit bounds the body (HTTP servers enforce it): read it at once.
  if (declared !== undefined && Number.isSafeInteger(declared)) {
    return new Uint8Array(await request.arrayBuffer());
  }
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request bodies are limited to ${maxBytes} bytes`);
}
