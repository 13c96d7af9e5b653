import type { HasConnectionOptions } from "@azure/web-pubsub";
import { expect } from "vitest";

/** The raw response the service SDK hands to `onResponse`. */
export type SdkResponse = Parameters<NonNullable<HasConnectionOptions["onResponse"]>>[0];

/** What `@azure/web-pubsub` throws for an error answer (core-rest-pipeline's RestError). */
export interface SdkRestError extends Error {
  statusCode?: number;
  code?: string;
  response?: SdkResponse;
}

/** The RestError a call fails with (fails the test when it succeeds or throws something else). */
export async function sdkFailure(call: Promise<unknown>): Promise<SdkRestError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("RestError");
  return error as SdkRestError;
}
