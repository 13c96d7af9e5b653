import type { WebPubSubServiceClient } from "@azure/web-pubsub";
import { statusOf } from "../errors/statusOf.js";
import type { Config } from "../config/config.js";
import type { ClientAccess, ClientAccessRequest, HubService } from "./hubService.js";

/**
 * HubService over `@azure/web-pubsub`. The SDK (and, with Entra ID, `@azure/identity`) is loaded
 * and the client built on the first call, once, so cold starts that need no REST call stay light.
 */
export class WebPubSubHubService implements HubService {
  private client: Promise<WebPubSubServiceClient> | undefined;

  constructor(
    private readonly service: Config["service"],
    private readonly hub: string,
  ) {}

  async sendToGroup(group: string, message: object): Promise<void> {
    await (await this.sdk()).group(group).sendToAll(message);
  }

  async sendToUser(userId: string, message: object): Promise<void> {
    await (await this.sdk()).sendToUser(userId, message);
  }

  async addToGroup(group: string, connectionId: string): Promise<boolean> {
    try {
      await (await this.sdk()).group(group).addConnection(connectionId);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async removeFromGroup(group: string, connectionId: string): Promise<void> {
    await (await this.sdk()).group(group).removeConnection(connectionId);
  }

  async connectionExists(connectionId: string): Promise<boolean> {
    return await (await this.sdk()).connectionExists(connectionId);
  }

  async getClientAccess(request: ClientAccessRequest): Promise<ClientAccess> {
    // Computed before the token is signed, so the advertised expiry is never later than the real one.
    const expiresAt = new Date(Date.now() + request.minutes * 60_000);
    const token = await (
      await this.sdk()
    ).getClientAccessToken({
      userId: request.userId,
      roles: [...request.roles],
      groups: [...request.groups],
      expirationTimeInMinutes: request.minutes,
    });
    return { url: token.url, expiresAt };
  }

  private async sdk(): Promise<WebPubSubServiceClient> {
    this.client ??= this.create().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return await this.client;
  }

  private async create(): Promise<WebPubSubServiceClient> {
    const { WebPubSubServiceClient } = await import("@azure/web-pubsub");
    // Plain http is only ever a local endpoint (the emulator); Azure endpoints are https.
    const options = { allowInsecureConnection: this.service.endpoint.startsWith("http:") };
    if (this.service.auth === "key") {
      return new WebPubSubServiceClient(this.service.connectionString, this.hub, options);
    }
    const { DefaultAzureCredential } = await import("@azure/identity");
    return new WebPubSubServiceClient(
      this.service.endpoint,
      new DefaultAzureCredential(),
      this.hub,
      options,
    );
  }
}
