/**
 * A REST failure as the service answers it, in one of the two shapes its recordings show
 * (Azure/azure-sdk-for-js `sdk/web-pubsub/web-pubsub/recordings`):
 *
 * - `service`: `application/json; charset=utf-8`,
 *   `{"code","message","target","details":null,"innererror":null}`;
 * - `validation` (an invalid OData filter): `application/problem+json; charset=utf-8`,
 *   ASP.NET's validation problem details with the service's `code`, `message` and `target`.
 *
 * Both carry the code in `x-ms-error-code` too.
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target = "Request",
    readonly shape: "service" | "validation" = "service",
  ) {
    super(message);
    this.name = "RestError";
  }
}

/** A 400 as the service answers a bad request (code `Error.BadRequest`). */
export function badRequest(message: string, target = "Request"): RestError {
  return new RestError(400, "Error.BadRequest", message, target);
}

/** The service's answer to a group name it refuses (recorded for an empty `targetName`). */
export function invalidGroupName(): RestError {
  return badRequest(
    "Invalid group name. Valid group name should be in between 1 and 1024 characters long.",
  );
}

/**
 * The service's answer to an OData filter it cannot parse: `target` is `filter` for the query
 * parameter and `Filter` for the body of `:addToGroups` / `:removeFromGroups`, as recorded.
 */
export function invalidFilter(filter: string, reason: string, target: string): RestError {
  const message = `Invalid syntax for '${filter}': ${reason}. (Parameter 'filter')`;
  return new RestError(400, "Error.BadRequest", message, target, "validation");
}

/**
 * 404 for an operation on a connection that is not there: `Error.Connection.NotExisted` when
 * adding it to a group, `Info.Connection.NotExisted` when granting it a permission.
 */
export function connectionNotExisted(
  code: "Error.Connection.NotExisted" | "Info.Connection.NotExisted",
  connectionId: string,
): RestError {
  return new RestError(404, code, `Connection \`${connectionId}\` is not found.`, "Connection");
}

/** The Content-Type and JSON body of an error answer. */
export function errorAnswer(error: RestError): { contentType: string; body: object } {
  if (error.shape === "validation") {
    return {
      contentType: "application/problem+json; charset=utf-8",
      body: {
        code: error.code,
        message: error.message,
        target: error.target,
        errors: { [error.target]: [error.message] },
        type: null,
        title: "One or more validation errors occurred.",
        status: error.status,
        detail: null,
        instance: null,
        extensions: {},
      },
    };
  }
  return {
    contentType: "application/json; charset=utf-8",
    body: {
      code: error.code,
      message: error.message,
      target: error.target,
      details: null,
      innererror: null,
    },
  };
}
