import type { Principal } from "./authorizeAdmin.js";

/** An admin API request, as the function adapter hands it over. */
export interface AdminRequest {
  readonly method: string;
  /** The path after `admin/`, still percent-encoded. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  /** The principal the platform passed on, if any (trusted or not: the policy decides). */
  readonly principal: Principal | undefined;
  /** Reads the body, refusing one over `maxBytes` with 413. */
  readonly readBody: (maxBytes: number) => Promise<Uint8Array>;
}

/** The answer: a status and a JSON body (none for 204). */
export interface AdminResponse {
  readonly status: 200 | 202 | 204;
  readonly body?: object;
}
