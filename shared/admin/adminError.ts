import { HttpError, type ClientErrorStatus } from "../errors.js";

/** The codes the admin API answers errors with, in `{"error":{"code","message"}}`. */
export type AdminErrorCode =
  | "bad_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "too_large"
  | "unsupported_media_type"
  | "unavailable"
  | "internal";

/** A refusal of an admin request: its status, a code and a reason safe to show the caller. */
export class AdminError extends HttpError {
  declare readonly code: AdminErrorCode;

  constructor(
    status: ClientErrorStatus,
    code: AdminErrorCode,
    message: string,
    /** Extra response headers (`Allow` for a 405). */
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(status, message, { code, headers: { ...headers } });
    this.name = "AdminError";
  }
}
