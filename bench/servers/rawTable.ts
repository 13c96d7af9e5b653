import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { rawCall } from "./rawHttp.js";

/**
 * Table Storage over its REST API and nothing else: Shared Key Lite signatures with a prebuilt
 * key, JSON without metadata, one keep-alive agent. The floor's table calls.
 */
export class RawTable {
  private readonly account: string;
  private readonly key: KeyObject;
  private readonly base: URL;

  constructor(
    connectionString: string,
    private readonly table: string,
  ) {
    const setting = (name: string) => {
      const value = new RegExp(`(?:^|;)${name}=([^;]+)`).exec(connectionString)?.[1];
      if (value === undefined) throw new Error(`the connection string has no ${name}`);
      return value;
    };
    this.account = setting("AccountName");
    this.key = createSecretKey(Buffer.from(setting("AccountKey"), "base64"));
    this.base = new URL(setting("TableEndpoint").replace(/\/?$/, "/"));
  }

  async createTable(): Promise<void> {
    const { status } = await this.call("POST", "Tables", JSON.stringify({ TableName: this.table }));
    if (status !== 201 && status !== 204 && status !== 409)
      throw new Error(`create table: ${status}`);
  }

  /** A point read of a row that exists. */
  async read(partitionKey: string, rowKey: string): Promise<Record<string, unknown>> {
    const { status, body } = await this.call("GET", this.entity(partitionKey, rowKey));
    if (status !== 200) throw new Error(`read: ${status}`);
    return JSON.parse(body) as Record<string, unknown>;
  }

  /** The rows of one partition (one page). */
  async query(partitionKey: string): Promise<unknown[]> {
    const filter = encodeURIComponent(`PartitionKey eq '${partitionKey}'`);
    const { status, body } = await this.call("GET", `${this.table}()?$filter=${filter}`);
    if (status !== 200) throw new Error(`query: ${status}`);
    return (JSON.parse(body) as { value: unknown[] }).value;
  }

  /** Insert or merge one row. */
  async write(partitionKey: string, rowKey: string, properties: object): Promise<void> {
    const { status } = await this.call(
      "MERGE",
      this.entity(partitionKey, rowKey),
      JSON.stringify(properties),
    );
    if (status !== 204) throw new Error(`write: ${status}`);
  }

  private entity(partitionKey: string, rowKey: string): string {
    return `${this.table}(PartitionKey='${partitionKey}',RowKey='${rowKey}')`;
  }

  private async call(method: string, resource: string, body?: string) {
    const url = new URL(resource, this.base);
    const date = new Date().toUTCString();
    const signature = createHmac("sha256", this.key)
      .update(`${date}\n/${this.account}${url.pathname}`)
      .digest("base64");
    return await rawCall(
      url,
      method,
      {
        "x-ms-date": date,
        "x-ms-version": "2019-02-02",
        accept: "application/json;odata=nometadata",
        dataserviceversion: "3.0",
        authorization: `SharedKeyLite ${this.account}:${signature}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body,
    );
  }
}
