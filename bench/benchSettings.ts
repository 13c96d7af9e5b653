/** The hub, key and group every benchmark uses. */
export const BENCH_HUB = "chat";
export const BENCH_KEY = "bench-access-key-0123456789abcdefghijklmnop";
export const BENCH_GROUP = "bench";

/**
 * Settings of the app under benchmark, as deployed behind App Service Authentication. The
 * runner passes its Table endpoint and REST stand-in in `BENCH_STORAGE` and
 * `BENCH_REST_ENDPOINT`, and each implementation's table in `BENCH_TABLE`.
 */
export function benchAppSettings(): Record<string, string> {
  const endpoint = process.env.BENCH_REST_ENDPOINT ?? "http://127.0.0.1:9";
  return {
    AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=${endpoint};AccessKey=${BENCH_KEY};Version=1.0;`,
    AZURE_WEBPUBSUB_HUB: BENCH_HUB,
    AzureWebJobsStorage: process.env.BENCH_STORAGE ?? "UseDevelopmentStorage=true",
    SWITCHBOARD_TABLE: process.env.BENCH_TABLE ?? "Bench",
    SWITCHBOARD_JOIN_GROUPS: BENCH_GROUP,
    WEBSITE_AUTH_ENABLED: "True",
  };
}
