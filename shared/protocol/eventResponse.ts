/** What the core answers, free of any HTTP framework; the function adapter turns it into a response. */
export interface EventResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): EventResponse {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function textResponse(status: number, text: string): EventResponse {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text };
}
