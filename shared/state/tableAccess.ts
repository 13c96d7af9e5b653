import type { TableClient, TableEntity, TableEntityResult, UpdateMode } from "@azure/data-tables";
import type { Config } from "../config/config.js";
import { isAbort, withCallDeadline } from "../deadline.js";
import { credentialFailure, DependencyError, statusOf } from "../errors.js";
import { lazyOnce } from "../lazyOnce.js";

/**
 * Every Table Storage call the store makes, each with a deadline (the SDK's retries inside it),
 * each failure classified: the statuses the store expects (a row not there, already there, or
 * changed since read) come back as values; anything else is a `DependencyError`. A table found
 * missing (Azurite restarted empty, the table deleted) is created once and the call retried.
 */
export class TableAccess {
  private readonly connect: () => Promise<TableClient>;

  constructor(
    createClient: () => Promise<TableClient>,
    private readonly timeoutMs: number,
    /** The event's signal: every call ends when it aborts. */
    private readonly eventSignal?: AbortSignal,
  ) {
    this.connect = lazyOnce(createClient);
  }

  /** The same tables and client, with every call also bound to an event's deadline. */
  withSignal(signal: AbortSignal): TableAccess {
    return new TableAccess(this.connect, this.timeoutMs, signal);
  }

  /**
   * A client for the configured table, built on first use: from a connection string, or from
   * the account's table endpoint and an Entra ID credential (the app's managed identity, a
   * user-assigned one by its client id, or DefaultAzureCredential).
   */
  static fromConfig(storage: Config["storage"], timeoutMs: number): TableAccess {
    return new TableAccess(async () => {
      const { TableClient } = await import("@azure/data-tables");
      if (storage.auth === "connectionString") {
        const { connectionString } = storage;
        const insecure =
          /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|=http:\/\//i.test(
            connectionString,
          );
        return TableClient.fromConnectionString(connectionString, storage.table, {
          allowInsecureConnection: insecure,
        });
      }
      const { DefaultAzureCredential, ManagedIdentityCredential } = await import("@azure/identity");
      const credential =
        storage.credential === "managedidentity"
          ? new ManagedIdentityCredential(
              storage.clientId === undefined ? {} : { clientId: storage.clientId },
            )
          : new DefaultAzureCredential(
              storage.clientId === undefined ? {} : { managedIdentityClientId: storage.clientId },
            );
      return new TableClient(storage.endpoint, storage.table, credential);
    }, timeoutMs);
  }

  /** A client for `table` in the account of a connection string, built on first use. */
  static fromConnectionString(
    connectionString: string,
    table: string,
    timeoutMs: number,
  ): TableAccess {
    return TableAccess.fromConfig({ auth: "connectionString", connectionString, table }, timeoutMs);
  }

  async get<T extends object>(
    partitionKey: string,
    rowKey: string,
  ): Promise<TableEntityResult<T> | undefined> {
    return await this.call(
      async (client, abortSignal) =>
        await client.getEntity<T>(partitionKey, rowKey, { abortSignal }),
      [404],
    );
  }

  /** A conditional insert: false when the row already exists. */
  async create<T extends object>(entity: TableEntity<T>): Promise<boolean> {
    const created = await this.call(
      async (client, abortSignal) => await client.createEntity(entity, { abortSignal }),
      [409],
    );
    return created !== undefined;
  }

  async upsert<T extends object>(entity: TableEntity<T>, mode: UpdateMode): Promise<void> {
    await this.call(
      async (client, abortSignal) => await client.upsertEntity(entity, mode, { abortSignal }),
    );
  }

  /** Updates an existing row (only at `etag`, when given): false when it is gone or changed. */
  async update<T extends object>(
    entity: TableEntity<T>,
    mode: UpdateMode,
    etag?: string,
  ): Promise<boolean> {
    const updated = await this.call(
      async (client, abortSignal) =>
        await client.updateEntity(entity, mode, {
          abortSignal,
          ...(etag === undefined ? {} : { etag }),
        }),
      [404, 412],
    );
    return updated !== undefined;
  }

  /**
   * Deletes a row (only at `etag`, when given); a row already gone or changed is left be.
   * True when this call deleted it.
   */
  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean> {
    const deleted = await this.call(
      async (client, abortSignal) =>
        await client.deleteEntity(partitionKey, rowKey, {
          abortSignal,
          ...(etag === undefined ? {} : { etag }),
        }),
      etag === undefined ? [404] : [404, 412],
    );
    return deleted !== undefined;
  }

  /**
   * Deletes rows of one partition in transactions of up to 100 (one call each); a batch that
   * fails as a whole (a row deleted meanwhile) is deleted row by row.
   */
  async deleteMany(partitionKey: string, rowKeys: readonly string[]): Promise<void> {
    for (let i = 0; i < rowKeys.length; i += 100) {
      const batch = rowKeys.slice(i, i + 100);
      try {
        await this.call(
          async (client, abortSignal) =>
            await client.submitTransaction(
              batch.map((rowKey) => ["delete", { partitionKey, rowKey }] as const),
              { abortSignal },
            ),
        );
      } catch {
        for (const rowKey of batch) await this.delete(partitionKey, rowKey);
      }
    }
  }

  /** The rows a filter selects, page by page; each page is one call with its own deadline. */
  async *pages<T extends object>(
    filter: string,
    options: { select?: string[]; pageSize?: number } = {},
  ): AsyncIterable<TableEntityResult<T>[]> {
    let continuationToken: string | undefined;
    do {
      const page = await this.call(
        async (client, abortSignal) => {
          const result = await client
            .listEntities<T>({
              queryOptions: { filter, ...(options.select ? { select: options.select } : {}) },
              abortSignal,
            })
            .byPage({
              maxPageSize: options.pageSize ?? 1000,
              ...(continuationToken === undefined ? {} : { continuationToken }),
            })
            .next();
          return result.done === true ? undefined : result.value;
        },
        [404],
      );
      if (page === undefined) return;
      continuationToken = page.continuationToken;
      yield [...page];
    } while (continuationToken !== undefined);
  }

  /** Every row a filter selects, up to `limit`. */
  async rows<T extends object>(
    filter: string,
    options: { select?: string[]; limit?: number } = {},
  ): Promise<TableEntityResult<T>[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const rows: TableEntityResult<T>[] = [];
    const pageSize = Math.max(1, Math.min(1000, limit));
    for await (const page of this.pages<T>(filter, { ...options, pageSize })) {
      for (const row of page) {
        rows.push(row);
        if (rows.length >= limit) return rows;
      }
    }
    return rows;
  }

  /**
   * One call with a deadline. `expected` statuses answer undefined. A missing table is created
   * and the call made once more; every other failure becomes a DependencyError.
   */
  private async call<R>(
    operation: (client: TableClient, abortSignal: AbortSignal) => Promise<R>,
    expected: readonly number[] = [],
  ): Promise<R | undefined> {
    const client = await this.connect();
    for (let attempt = 0; ; attempt++) {
      try {
        return await withCallDeadline(
          this.timeoutMs,
          this.eventSignal,
          async (signal) => await operation(client, signal),
        );
      } catch (error) {
        if (attempt === 0 && isTableNotFound(error)) {
          await this.createTable(client);
          continue;
        }
        const status = statusOf(error);
        if (status !== undefined && expected.includes(status) && !isTableNotFound(error)) {
          return undefined;
        }
        throw classify(error);
      }
    }
  }

  private async createTable(client: TableClient): Promise<void> {
    try {
      await withCallDeadline(
        this.timeoutMs,
        this.eventSignal,
        async (abortSignal) => await client.createTable({ abortSignal }),
      );
    } catch (error) {
      // Created meanwhile by another call: what was wanted.
      if (statusOf(error) !== 409) throw classify(error);
    }
  }
}

/** A 404 whose error code (the `x-ms-error-code` header, or the RestError's code) says the table is missing. */
function isTableNotFound(error: unknown): boolean {
  if (statusOf(error) !== 404) return false;
  const { code, details } = error as { code?: unknown; details?: { errorCode?: unknown } };
  return code === "TableNotFound" || details?.errorCode === "TableNotFound";
}

function classify(error: unknown): DependencyError {
  if (error instanceof DependencyError) return error;
  if (isAbort(error)) return new DependencyError("table", undefined, "timeout", { cause: error });
  const credential = credentialFailure(error);
  if (credential !== undefined) return credential;
  const status = statusOf(error);
  return status === undefined
    ? new DependencyError("table", undefined, "unreachable", { cause: error })
    : new DependencyError("table", status, "refused", { cause: error });
}
