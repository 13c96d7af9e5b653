import type { TableClient } from "@azure/data-tables";

/**
 * Returns a function that yields one TableClient, creating the client and the table on first
 * use (never at import time). A failed creation is retried on the next call.
 */
export function lazyTableClient(
  connectionString: string,
  table: string,
): () => Promise<TableClient> {
  let ready: Promise<TableClient> | undefined;
  return async () => {
    ready ??= create(connectionString, table).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return await ready;
  };
}

async function create(connectionString: string, table: string): Promise<TableClient> {
  const { TableClient } = await import("@azure/data-tables");
  const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|=http:\/\//i.test(
    connectionString,
  );
  const client = TableClient.fromConnectionString(connectionString, table, {
    allowInsecureConnection: insecure,
  });
  await client.createTable();
  return client;
}
