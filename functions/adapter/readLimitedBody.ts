import type { HttpRequest } from "@azure/functions";
import { HttpError } from "../../shared/errors.js";
import { HeaderNames } from "../../shared/protocol/headerNames.js";

/**
 * Reads a request body up to `maxBytes`, refusing a larger one with 413: at once when its
 * declared length is over the limit, else at the first chunk that takes it past the limit,
 * whatever length was declared. The app asks for HTTP streams (`entry.ts`), so the body is read
 * as it arrives and what follows that chunk is left unread.
 */
export async function readLimitedBody(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get(HeaderNames.contentLength);
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const body = request.body as ReadableStream<Uint8Array> | null;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
    finished = true;
  } finally {
    // Only a stream left unread is released: releasing a reader always builds a TypeError (with
    // its stack) for the reader's `closed` promise, which a finished stream has no use for.
    if (!finished) reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request bodies are limited to ${maxBytes} bytes`);
}
