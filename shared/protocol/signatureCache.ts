import { timingSafeEqual } from "node:crypto";
import { isValidSignature } from "./signature.js";

const MAX_ENTRIES = 10_000;

/**
 * Remembers `ce-signature` headers already verified for a connection. The service signs every
 * event of a connection with the same value, so after the first event of a connection the HMAC
 * is skipped. Only successes are kept; the map is bounded and forgets its oldest entries.
 */
export class SignatureCache {
  private readonly verified = new Map<string, string>();

  constructor(private readonly keys: readonly string[]) {}

  isValid(header: string, connectionId: string): boolean {
    const known = this.verified.get(connectionId);
    if (known !== undefined && sameSecret(known, header)) return true;
    if (!isValidSignature(header, connectionId, this.keys)) return false;
    if (this.verified.size >= MAX_ENTRIES) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(connectionId, header);
    return true;
  }
}

/** Constant-time for equal lengths; the length of a signature header is no secret. */
function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
