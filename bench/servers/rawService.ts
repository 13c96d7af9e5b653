import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { RestKind } from "../infra/restStandIn.js";
import { rawCall } from "./rawHttp.js";

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/**
 * The Web PubSub REST API over plain HTTP: an HS256 token per call (audience the call's URL)
 * signed with a prebuilt key, one keep-alive agent. The floor's REST calls and client tokens.
 */
export class RawService {
  private readonly key: KeyObject;

  constructor(
    private readonly endpoint: string,
    accessKey: string,
    private readonly hub: string,
  ) {
    this.key = createSecretKey(Buffer.from(accessKey, "utf8"));
  }

  /** A signed token with these claims, valid for `minutes`. */
  token(claims: Record<string, unknown>, minutes: number): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ ...claims, iat: now, exp: now + minutes * 60 }),
    ).toString("base64url");
    const signature = createHmac("sha256", this.key)
      .update(`${HEADER}.${payload}`)
      .digest("base64url");
    return `${HEADER}.${payload}.${signature}`;
  }

  /** A client access URL for `userId`, as the SDK's getClientAccessToken makes one with a key. */
  clientUrl(userId: string, minutes: number): string {
    const audience = `${this.endpoint}/client/hubs/${this.hub}`;
    const token = this.token({ aud: audience, sub: userId }, minutes);
    return `${audience.replace(/^http/, "ws")}?access_token=${token}`;
  }

  /** One call of `kind` about `group`, `user` and `connectionId`. */
  async call(
    kind: RestKind,
    target: { group: string; user: string; connectionId: string },
    body: string,
  ): Promise<void> {
    const hub = `${this.endpoint}/api/hubs/${this.hub}`;
    const group = `${hub}/groups/${encodeURIComponent(target.group)}`;
    const member = `${group}/connections/${encodeURIComponent(target.connectionId)}`;
    const [method, path] = (
      {
        sendToGroup: ["POST", `${group}/:send`],
        sendToUser: ["POST", `${hub}/users/${encodeURIComponent(target.user)}/:send`],
        sendToAll: ["POST", `${hub}/:send`],
        addToGroup: ["PUT", member],
        removeFromGroup: ["DELETE", member],
        connectionExists: ["HEAD", `${hub}/connections/${encodeURIComponent(target.connectionId)}`],
        generateToken: ["POST", `${hub}/:generateToken`],
        other: ["GET", hub],
      } as const
    )[kind];
    const url = new URL(`${path}?api-version=2024-01-01`);
    const sends = method === "POST";
    const { status } = await rawCall(
      url,
      method,
      {
        authorization: `Bearer ${this.token({ aud: url.href }, 60)}`,
        ...(sends ? { "content-type": "application/json" } : {}),
      },
      sends ? body : undefined,
    );
    if (status < 200 || status > 299) throw new Error(`${kind}: ${status}`);
  }
}
