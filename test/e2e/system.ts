import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TableClient } from "@azure/data-tables";
import { ManagedIdentityCredential } from "@azure/identity";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient, type WebPubSubClientOptions } from "@azure/web-pubsub-client";
import { inject } from "vitest";
import { startFunctionsHost, type RunningHost } from "../../dev/functionsHost.js";
import { loadApp } from "../../dev/loadApp.js";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { setRuntime } from "../../shared/runtime.js";
import { AppTable } from "../fixtures/appTable.js";
import { EntraIssuer } from "../fixtures/entraIssuer.js";
import { Inbox } from "./inbox.js";

export interface TestClient {
  readonly client: WebPubSubClient;
  readonly inbox: Inbox;
  readonly connectionId: string;
  /** Sends one protocol message as the `message` event (JSON). */
  say(message: Record<string, unknown>): Promise<void>;
}

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../functions");

/**
 * The whole system on loopback: the emulator, the app's own registrations served by the local
 * Functions host, and Azurite (from the global setup) with a table of its own.
 */
/** The emulator's second access key: the service signs every event with both of its keys. */
const SECONDARY_KEY = "e2e-secondary-key-0123456789abcdefghijklmnopq";
/** The resource the hub's event handler requests its token for, with keys disabled. */
export const EVENT_AUDIENCE = "api://switchboard-e2e-events";
/** The Web PubSub resource's managed identity, which authenticates its webhooks. */
export const HUB_IDENTITY = { objectId: randomUUID(), clientId: randomUUID() };

export class System {
  /** Capitalised on purpose: the service sends `ce-hub` in lower case, whatever the settings say. */
  readonly hub = "SampleChat";
  readonly table = `E${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  emulator!: RunningEmulator;
  /** The local Entra ID, when the hub runs with keys disabled. */
  issuer: EntraIssuer | undefined;
  host!: RunningHost;
  service!: WebPubSubServiceClient;
  readonly logs: string[] = [];
  private readonly clients: WebPubSubClient[] = [];
  /** The app's table in Azurite, read as the app lays it out. */
  tableRows!: AppTable;

  /**
   * Starts the emulator, the app and its table. With `entra`, the hub runs with access keys
   * disabled, as Azure Policy often sets it: the emulator serves https with the run's loopback
   * certificate and takes only Entra ID tokens, the app calls it with its managed identity (from
   * a local Entra ID's managed identity endpoint), and the hub's event handler authenticates
   * with its own managed identity's token instead of signing.
   */
  async start(
    settings: Record<string, string> = {},
    options: { entra?: boolean } = {},
  ): Promise<void> {
    const log = (line: string) => this.logs.push(`[emulator] ${line}`);
    const storage = inject("tableConnectionString");
    const common = {
      AZURE_WEBPUBSUB_HUB: this.hub,
      AzureWebJobsStorage: storage,
      SWITCHBOARD_JOIN_GROUPS: "room,private,leaving,lobby,lobby-*",
      SWITCHBOARD_TABLE: this.table,
      // The host plays App Service with authentication on: principal headers are the platform's.
      WEBSITE_AUTH_ENABLED: "True",
    };
    // The app reads its settings from the environment, as under the Functions host.
    if (options.entra === true) {
      const issuer = await EntraIssuer.start();
      this.issuer = issuer;
      const tls = inject("tls");
      this.emulator = await startEmulator({
        port: 0,
        tls: { cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) },
        entraId: { authority: issuer.url, tenantId: issuer.tenantId },
        disableLocalAuth: true,
        managedIdentity: {
          getToken: async (resource) => await issuer.issue(resource, { identity: HUB_IDENTITY }),
        },
        log,
      });
      Object.assign(process.env, {
        ...common,
        AZURE_WEBPUBSUB_ENDPOINT: this.emulator.url,
        IDENTITY_ENDPOINT: issuer.managedIdentityEndpoint,
        IDENTITY_HEADER: issuer.identityHeader,
        SWITCHBOARD_EVENT_AUTH: "entra",
        SWITCHBOARD_EVENT_AUDIENCE: EVENT_AUDIENCE,
        SWITCHBOARD_EVENT_TENANT_ID: issuer.tenantId,
        SWITCHBOARD_EVENT_IDENTITY: HUB_IDENTITY.objectId,
        SWITCHBOARD_ENTRA_AUTHORITY: issuer.url,
        ...settings,
      });
      delete process.env.AZURE_WEBPUBSUB_CONNECTION_STRING;
      delete process.env.AZURE_WEBPUBSUB_SECONDARY_KEY;
    } else {
      this.emulator = await startEmulator({ port: 0, secondaryAccessKey: SECONDARY_KEY, log });
      Object.assign(process.env, {
        ...common,
        AZURE_WEBPUBSUB_CONNECTION_STRING: this.emulator.connectionString,
        AZURE_WEBPUBSUB_SECONDARY_KEY: SECONDARY_KEY,
        ...settings,
      });
    }
    setRuntime(undefined);
    const app = await loadApp(importFunctions, (level, message) =>
      this.logs.push(`[app] ${level} ${message}`),
    );
    this.host = await startFunctionsHost({
      port: 0,
      routes: app.routes,
      log: (line) => this.logs.push(`[host] ${line}`),
    });
    this.emulator.setHub(this.hub, {
      eventHandlers: [
        {
          urlTemplate: `${this.host.url}/api/events/{event}`,
          userEventPattern: "message",
          systemEvents: ["connect", "connected", "disconnected"],
          ...(this.issuer === undefined
            ? {}
            : {
                auth: {
                  type: "ManagedIdentity" as const,
                  managedIdentity: { resource: EVENT_AUDIENCE },
                },
              }),
        },
      ],
    });
    this.service =
      this.issuer === undefined
        ? new WebPubSubServiceClient(this.emulator.connectionString, this.hub, {
            allowInsecureConnection: true,
          })
        : new WebPubSubServiceClient(this.emulator.url, new ManagedIdentityCredential(), this.hub);
    this.tableRows = new AppTable(
      TableClient.fromConnectionString(storage, this.table, { allowInsecureConnection: true }),
      this.hub,
    );
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.stop();
    await this.host.close();
    await this.emulator.close();
    await this.issuer?.close();
    setRuntime(undefined);
  }

  /** Calls the admin API as App Service Authentication presents a caller with the admin role. */
  async admin(
    method: string,
    path: string,
    body?: { readonly type: string; readonly content: string },
  ): Promise<Response> {
    const principal = {
      auth_typ: "aad",
      role_typ: "roles",
      claims: [{ typ: "roles", val: "Switchboard.Admin" }],
    };
    return await fetch(`${this.host.url}/api/admin/${path}`, {
      method,
      headers: {
        "x-ms-client-principal": Buffer.from(JSON.stringify(principal)).toString("base64"),
        "x-ms-client-principal-id": "e2e-operator",
        "x-ms-client-principal-name": "e2e-operator",
        "x-ms-client-principal-idp": "aad",
        ...(body === undefined ? {} : { "content-type": body.type }),
      },
      ...(body === undefined ? {} : { body: body.content }),
    });
  }

  /** Negotiates as App Service authentication would present the signed-in user. */
  async negotiate(userId: string): Promise<string> {
    const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [] })).toString(
      "base64",
    );
    const response = await fetch(`${this.host.url}/api/negotiate`, {
      headers: {
        "x-ms-client-principal": principal,
        "x-ms-client-principal-id": userId,
        "x-ms-client-principal-name": userId,
        "x-ms-client-principal-idp": "aad",
      },
    });
    if (!response.ok) throw new Error(`negotiate: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { url: string }).url;
  }

  /**
   * A started Microsoft Web PubSub client for the user (default reliable protocol), with its
   * inbox. Its URL comes from the app's negotiate, or, with `roles`, from a token the service
   * issues with those `role` claims.
   */
  async client(
    userId: string,
    roles?: string[],
    options: WebPubSubClientOptions = {},
  ): Promise<TestClient> {
    const client = new WebPubSubClient(
      {
        getClientAccessUrl: async () =>
          roles === undefined
            ? await this.negotiate(userId)
            : (await this.service.getClientAccessToken({ userId, roles })).url,
      },
      options,
    );
    this.clients.push(client);
    const inbox = new Inbox(client);
    // The `connected` event may come after start() resolves (it does over wss).
    const connected = new Promise<string>((resolve) =>
      client.on("connected", (event) => resolve(event.connectionId)),
    );
    await client.start();
    const connectionId = await connected;
    return {
      client,
      inbox,
      connectionId,
      say: async (message) => {
        await client.sendEvent("message", message, "json");
      },
    };
  }
}

async function importFunctions(): Promise<void> {
  for (const file of (await readdir(functionsDir)).filter((name) => name.endsWith(".ts")).sort()) {
    await import(pathToFileURL(path.join(functionsDir, file)).href);
  }
}
