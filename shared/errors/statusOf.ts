/** The HTTP status an Azure SDK `RestError` (or anything shaped like it) carries, if any. */
export function statusOf(error: unknown): number | undefined {
  if (error !== null && typeof error === "object" && "statusCode" in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}
