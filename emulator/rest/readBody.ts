import type { IncomingMessage } from "node:http";
import { RestError } from "./RestError.js";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads a request body up to 16 MiB. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new RestError(413, "PayloadTooLarge", "The body is too large.");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
