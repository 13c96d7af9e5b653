import { createSecretKey, type KeyObject } from "node:crypto";
import type { AzureKeyCredential, WebPubSubServiceClient } from "@azure/web-pubsub";
import type { Config } from "../config/config.js";
import { isAbort, withCallDeadline } from "../deadline.js";
import { credentialFailure, DependencyError, ServiceRefusal, statusOf } from "../errors.js";
import { lazyOnce } from "../lazyOnce.js";
import { isDotSegment } from "./dotSegment.js";
import {
  type Pipeline,
  replacePolicy,
  trimPipeline,
  WEB_PUBSUB_KEY_POLICY,
  webPubSubKeyPolicy,
} from "../sdkPipeline.js";
import type {
  ClientAccess,
  ClientAccessRequest,
  CloseOptions,
  Exclusions,
  HubService,
  Permission,
} from "./hubService.js";

/**
 * HubService over `@azure/web-pubsub`. The SDK (and, with Entra ID, `@azure/identity`) is loaded
 * and the client built on the first call, once, so cold starts that need no REST call stay light.
 * Every call has a deadline (the SDK's retries inside it); a 400 or 404 is the sender's
 * (`ServiceRefusal`), every other failure the operator's or the platform's (`DependencyError`).
 */
export class WebPubSubHubService implements HubService {
  private sdk = lazyOnce(async () => await this.create());
  private eventSignal: AbortSignal | undefined;

  constructor(
    private readonly service: Config["service"],
    private readonly hub: string,
    private readonly timeoutMs: number,
  ) {}

  withSignal(signal: AbortSignal): HubService {
    const bound = new WebPubSubHubService(this.service, this.hub, this.timeoutMs);
    bound.sdk = this.sdk;
    bound.eventSignal = signal;
    return bound;
  }

  async sendToAll(message: object, options: Exclusions = {}): Promise<void> {
    await this.call(async (sdk, abortSignal) => {
      await sdk.sendToAll(message, { abortSignal, ...sendExclusions(options) });
    });
  }

  async sendToGroup(group: string, message: object, options: Exclusions = {}): Promise<void> {
    refuseDotSegments(group);
    await this.call(async (sdk, abortSignal) => {
      await sdk.group(group).sendToAll(message, { abortSignal, ...sendExclusions(options) });
    });
  }

  async sendToUser(
    userId: string,
    message: object,
    options: Pick<Exclusions, "filter"> = {},
  ): Promise<void> {
    refuseDotSegments(userId);
    await this.call(async (sdk, abortSignal) => {
      await sdk.sendToUser(userId, message, {
        abortSignal,
        ...(options.filter === undefined ? {} : { filter: options.filter }),
      });
    });
  }

  async sendToConnection(connectionId: string, message: object): Promise<boolean> {
    refuseDotSegments(connectionId);
    return await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.sendToConnection(connectionId, message, { abortSignal });
    });
  }

  async addToGroup(group: string, connectionId: string): Promise<boolean> {
    refuseDotSegments(group, connectionId);
    return await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.group(group).addConnection(connectionId, { abortSignal });
    });
  }

  async removeFromGroup(group: string, connectionId: string): Promise<void> {
    refuseDotSegments(group, connectionId);
    // A connection the service no longer has is in no group: what was wanted.
    await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.group(group).removeConnection(connectionId, { abortSignal });
    });
  }

  async removeUserFromGroup(group: string, userId: string): Promise<void> {
    refuseDotSegments(group, userId);
    await this.call(async (sdk, abortSignal) => {
      await sdk.group(group).removeUser(userId, { abortSignal });
    });
  }

  async removeUserFromAllGroups(userId: string): Promise<void> {
    refuseDotSegments(userId);
    await this.call(async (sdk, abortSignal) => {
      await sdk.removeUserFromAllGroups(userId, { abortSignal });
    });
  }

  async removeConnectionFromAllGroups(connectionId: string): Promise<void> {
    refuseDotSegments(connectionId);
    await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.removeConnectionFromAllGroups(connectionId, { abortSignal });
    });
  }

  // The SDK passes `excluded` on to the REST call (`?excluded=`) though its close options do
  // not declare it.
  async closeAll(options: CloseOptions): Promise<void> {
    await this.call(async (sdk, abortSignal) => {
      await sdk.closeAllConnections({ abortSignal, ...closeOptions(options) });
    });
  }

  async closeUser(userId: string, options: CloseOptions): Promise<void> {
    refuseDotSegments(userId);
    await this.call(async (sdk, abortSignal) => {
      await sdk.closeUserConnections(userId, { abortSignal, ...closeOptions(options) });
    });
  }

  async closeGroup(group: string, options: CloseOptions): Promise<void> {
    refuseDotSegments(group);
    await this.call(async (sdk, abortSignal) => {
      await sdk.group(group).closeAllConnections({ abortSignal, ...closeOptions(options) });
    });
  }

  async closeConnection(connectionId: string, reason: string | undefined): Promise<boolean> {
    refuseDotSegments(connectionId);
    return await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.closeConnection(connectionId, {
        abortSignal,
        ...(reason === undefined ? {} : { reason }),
      });
    });
  }

  async grantPermission(
    connectionId: string,
    permission: Permission,
    group?: string,
  ): Promise<boolean> {
    refuseDotSegments(connectionId);
    return await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.grantPermission(connectionId, permission, {
        abortSignal,
        ...(group === undefined ? {} : { targetName: group }),
      });
    });
  }

  async revokePermission(connectionId: string, permission: Permission, group?: string) {
    refuseDotSegments(connectionId);
    await this.unlessGone(async (sdk, abortSignal) => {
      await sdk.revokePermission(connectionId, permission, {
        abortSignal,
        ...(group === undefined ? {} : { targetName: group }),
      });
    });
  }

  async hasPermission(connectionId: string, permission: Permission, group?: string) {
    refuseDotSegments(connectionId);
    return await this.call(
      async (sdk, abortSignal) =>
        await sdk.hasPermission(connectionId, permission, {
          abortSignal,
          ...(group === undefined ? {} : { targetName: group }),
        }),
    );
  }

  async userExists(userId: string): Promise<boolean> {
    refuseDotSegments(userId);
    return await this.call(
      async (sdk, abortSignal) => await sdk.userExists(userId, { abortSignal }),
    );
  }

  async groupExists(group: string): Promise<boolean> {
    refuseDotSegments(group);
    return await this.call(
      async (sdk, abortSignal) => await sdk.groupExists(group, { abortSignal }),
    );
  }

  async connectionExists(connectionId: string): Promise<boolean> {
    refuseDotSegments(connectionId);
    return await this.call(
      async (sdk, abortSignal) => await sdk.connectionExists(connectionId, { abortSignal }),
    );
  }

  async getClientAccess(request: ClientAccessRequest): Promise<ClientAccess> {
    // Computed before the token is signed, so the advertised expiry is never later than the real one.
    const expiresAt = new Date(Date.now() + request.minutes * 60_000);
    const token = await this.call(
      async (sdk, abortSignal) =>
        await sdk.getClientAccessToken({
          userId: request.userId,
          roles: [...request.roles],
          groups: [...request.groups],
          expirationTimeInMinutes: request.minutes,
          abortSignal,
        }),
    );
    return { url: token.url, expiresAt };
  }

  /** A call naming a connection: false when the service no longer has it (404). */
  private async unlessGone(
    operation: (sdk: WebPubSubServiceClient, abortSignal: AbortSignal) => Promise<void>,
  ): Promise<boolean> {
    try {
      await this.call(operation, "names a connection");
      return true;
    } catch (error) {
      if (error instanceof ServiceRefusal && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * One REST call with its deadline. A 404 is the sender's fault (`gone`) only for a call that
   * names a connection; elsewhere it means a wrong endpoint or hub, the operator's problem.
   */
  private async call<T>(
    operation: (sdk: WebPubSubServiceClient, abortSignal: AbortSignal) => Promise<T>,
    target: "names a connection" | "other" = "other",
  ): Promise<T> {
    const sdk = await this.sdk();
    try {
      return await withCallDeadline(
        this.timeoutMs,
        this.eventSignal,
        async (signal) => await operation(sdk, signal),
      );
    } catch (error) {
      throw classify(error, target === "names a connection");
    }
  }

  private async create(): Promise<WebPubSubServiceClient> {
    const { WebPubSubServiceClient } = await import("@azure/web-pubsub");
    // Plain http is only ever a local endpoint (the emulator); Azure endpoints are https.
    const options = { allowInsecureConnection: this.service.endpoint.startsWith("http:") };
    let client: WebPubSubServiceClient;
    let key: KeyObject | undefined;
    if (this.service.auth === "key") {
      // A prebuilt secret key: given the key as a string, jsonwebtoken (which signs client
      // tokens) first tries to parse it as a PEM key on every signature before using it.
      key = createSecretKey(Buffer.from(this.service.accessKey, "utf8"));
      const credential = { key } as unknown as AzureKeyCredential;
      client = new WebPubSubServiceClient(this.service.endpoint, credential, this.hub, options);
    } else {
      const { DefaultAzureCredential } = await import("@azure/identity");
      client = new WebPubSubServiceClient(
        this.service.endpoint,
        new DefaultAzureCredential(),
        this.hub,
        options,
      );
    }
    const pipeline = pipelineOf(client);
    if (pipeline !== undefined) {
      trimPipeline(pipeline);
      if (key !== undefined)
        replacePolicy(pipeline, WEB_PUBSUB_KEY_POLICY, webPubSubKeyPolicy(key));
    }
    return client;
  }
}

/**
 * The pipeline the client sends through. The SDK does not make it public (it is its generated
 * client's), so it is looked for, not assumed: a client without it is used untrimmed.
 */
function pipelineOf(client: WebPubSubServiceClient): Pipeline | undefined {
  const pipeline = (client as unknown as { client?: { pipeline?: Partial<Pipeline> } }).client
    ?.pipeline;
  return typeof pipeline?.removePolicy === "function" ? (pipeline as Pipeline) : undefined;
}

function classify(error: unknown, namesConnection: boolean): Error {
  if (isAbort(error)) return new DependencyError("service", undefined, "timeout", { cause: error });
  const credential = credentialFailure(error);
  if (credential !== undefined) return credential;
  const status = statusOf(error);
  // Only the REST API's own answers are read by status: an identity error (Entra ID refusing
  // the app's credential, with a status of its own) is the operator's problem whatever it says.
  const fromService = error instanceof Error && error.name === "RestError";
  if (fromService && status === 400) {
    return new ServiceRefusal("bad_message", 400, { cause: error });
  }
  if (fromService && status === 404 && namesConnection) {
    return new ServiceRefusal("gone", 404, { cause: error });
  }
  if (status === undefined) {
    return new DependencyError("service", undefined, fromService ? "unreachable" : "refused", {
      cause: error,
    });
  }
  const retryAfterMs = status === 429 || status === 503 ? retryAfter(error) : undefined;
  return new DependencyError("service", status, "refused", {
    cause: error,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** The `Retry-After` of a refused call, in milliseconds (seconds or an HTTP date). */
function retryAfter(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get(name: string): string | undefined } } })
    .response?.headers;
  const value = headers?.get("retry-after");
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sendExclusions(options: Exclusions): { excludedConnections?: string[]; filter?: string } {
  return {
    ...(options.excluded === undefined || options.excluded.length === 0
      ? {}
      : { excludedConnections: [...options.excluded] }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
  };
}

function closeOptions(options: CloseOptions): { reason?: string } {
  return {
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.excluded === undefined || options.excluded.length === 0
      ? {}
      : { excluded: [...options.excluded] }),
  };
}

/** Names that URL parsing would remove from the path are refused before any call is made. */
function refuseDotSegments(...names: string[]): void {
  if (names.some(isDotSegment)) throw new ServiceRefusal("bad_message", 400);
}
