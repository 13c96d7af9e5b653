/** A REST failure with its status and `x-ms-error-code`. */
export class RestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 500,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RestError";
  }
}
