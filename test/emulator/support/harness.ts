import { randomUUID } from "node:crypto";
import {
  WebPubSubServiceClient,
  type GenerateClientTokenOptions,
  type WebPubSubServiceClientOptions,
} from "@azure/web-pubsub";
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../../emulator/index.js";
import type { TestCredential } from "./entraCredentials.js";
import { TestSocket } from "./TestSocket.js";

export const JSON_PROTOCOL = "json.webpubsub.azure.v1";
export const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";

export interface JsonClient {
  socket: TestSocket;
  connectionId: string;
  userId: string | undefined;
}

export interface ServiceSetup {
  options?: WebPubSubServiceClientOptions;
  credential?: TestCredential;
}

/** One emulator on a free port, a hub name of its own, and the service SDK pointed at both. */
export class Harness {
  readonly hub = `hub${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  emulator!: RunningEmulator;
  service!: WebPubSubServiceClient;
  private readonly sockets: TestSocket[] = [];
  private serviceSetup: ServiceSetup = {};

  /**
   * `service`: how the SDK clients are made: extra options (e.g. `tlsOptions`), and a credential
   * with the emulator's URL instead of its connection string.
   */
  async start(options: EmulatorOptions = {}, service: ServiceSetup = {}): Promise<this> {
    this.emulator = await startEmulator({ port: 0, retryDelaysMs: [10, 20, 30], ...options });
    this.serviceSetup = service;
    this.service = this.serviceFor(this.hub);
    return this;
  }

  serviceFor(hub: string): WebPubSubServiceClient {
    const { credential, options } = this.serviceSetup;
    const clientOptions = {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
      ...options,
    };
    return credential === undefined
      ? new WebPubSubServiceClient(this.emulator.connectionString, hub, clientOptions)
      : new WebPubSubServiceClient(this.emulator.url, credential, hub, clientOptions);
  }

  /** Points `hub` (this harness's by default) at one handler that gets every event. */
  sendEverythingTo(urlTemplate: string, hub = this.hub): void {
    this.emulator.setHub(hub, {
      eventHandlers: [
        {
          urlTemplate,
          userEventPattern: "*",
          systemEvents: ["connect", "connected", "disconnected"],
        },
      ],
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.socket.terminate();
    await this.emulator.close();
  }

  /** A client URL with a token from the SDK's getClientAccessToken. */
  async clientUrl(options: GenerateClientTokenOptions = {}): Promise<string> {
    return (await this.service.getClientAccessToken(options)).url;
  }

  /** A JSON-subprotocol client, after its `connected` system message. */
  async connect(
    options: GenerateClientTokenOptions = {},
    protocol = JSON_PROTOCOL,
  ): Promise<JsonClient> {
    return await this.connectUrl(await this.clientUrl(options), protocol);
  }

  /** A JSON-subprotocol client on an explicit client URL. */
  async connectUrl(url: string, protocol = JSON_PROTOCOL): Promise<JsonClient> {
    const socket = await TestSocket.open(url, protocol);
    this.sockets.push(socket);
    const connected = await socket.nextMessage(
      (m) => m.type === "system" && m.event === "connected",
    );
    return {
      socket,
      connectionId: String(connected.connectionId),
      userId: typeof connected.userId === "string" ? connected.userId : undefined,
    };
  }

  /** A raw WebSocket client (no subprotocol). */
  async connectRaw(options: GenerateClientTokenOptions = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(await this.clientUrl(options));
    this.sockets.push(socket);
    return socket;
  }
}

/** The data messages a JSON client received, without acks and system messages. */
export function dataMessages(client: JsonClient): Record<string, unknown>[] {
  return client.socket.messages.filter((m) => m.type === "message");
}
