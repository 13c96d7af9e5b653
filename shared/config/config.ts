import type { AuthorizationSettings } from "../authorization/authorize.js";
import type { GroupPattern } from "../authorization/groupPattern.js";
import type { RetiredSettingName } from "./settingNames.js";

/** The app's whole configuration, validated once by `loadConfig`. */
export interface Config {
  /** The one hub this app handles events for, as configured (compared case-insensitively). */
  readonly hub: string;
  /** How REST calls authenticate: with the connection string's key, or with Entra ID. */
  readonly service:
    | { readonly auth: "key"; readonly endpoint: string; readonly accessKey: string }
    | { readonly auth: "entra"; readonly endpoint: string };
  /**
   * How every event proves it comes from the service: a `ce-signature` made with one of the
   * access keys (primary first), or an Entra ID bearer token of the hub's managed identity.
   */
  readonly eventAuth:
    | { readonly mode: "signature"; readonly signingKeys: readonly string[] }
    | {
        readonly mode: "entra";
        /** Accepted `aud` values: the resource the hub's event handler requests tokens for. */
        readonly audiences: readonly string[];
        /** Lower-case directory id; the token's issuer must be this tenant's. */
        readonly tenantId: string;
        /** Lower-case object or client id the caller must be (`oid`, `appid` or `azp`), if set. */
        readonly identity: string | undefined;
        /** Entra ID's host, without a trailing slash. */
        readonly authority: string;
      };
  /** Lower-case hosts the abuse-protection handshake accepts; `any` only when configured as `*`. */
  readonly allowedOrigins: { readonly any: boolean; readonly hosts: ReadonlySet<string> };
  /** Table Storage: by connection string, or by an Entra ID identity at an endpoint. */
  readonly storage:
    | {
        readonly auth: "connectionString";
        readonly connectionString: string;
        readonly table: string;
      }
    | {
        readonly auth: "identity";
        readonly endpoint: string;
        /** `managedidentity`: the app's managed identity only; `default`: DefaultAzureCredential. */
        readonly credential: "default" | "managedidentity";
        /** A user-assigned identity's client id. */
        readonly clientId?: string;
        readonly table: string;
      };
  readonly negotiate: {
    readonly tokenTtlMinutes: number;
    readonly roles: readonly string[];
    readonly groups: readonly string[];
    readonly allowQueryUserId: boolean;
    /** Whether x-ms-client-principal headers come from the platform (App Service Authentication). */
    readonly trustPrincipalHeaders: boolean;
  };
  readonly connect: {
    readonly roles: readonly string[];
    readonly groups: readonly string[];
    readonly allowAnonymous: boolean;
    /** 0 means no limit. */
    readonly maxConnectionsPerUser: number;
  };
  /** Serve the demo chat page at /api/chat. */
  readonly demoPage: boolean;
  readonly admin: {
    /** The app role a caller of the admin API must hold. */
    readonly role: string;
  };
  readonly messages: {
    readonly maxBytes: number;
    /** 0 means no limit. */
    readonly perMinute: number;
    /** Groups one connection may be in through `join`. */
    readonly maxGroupsPerConnection: number;
    /** Echo text and binary frames of plain WebSocket clients back to the sender. */
    readonly echoRawFrames: boolean;
  };
  /** Deadlines, in milliseconds: of one Table Storage call, one REST call, one whole event. */
  readonly deadlines: {
    readonly storageMs: number;
    readonly serviceMs: number;
    readonly eventMs: number;
  };
  /**
   * Groups whose members are told when a user's first connection joins and its last one leaves
   * (`SWITCHBOARD_PRESENCE_GROUPS`; `*` matches any run of characters). Empty: none.
   */
  readonly presenceGroups: readonly GroupPattern[];
  /** Who may join, leave and send to which groups, and whether direct messages are allowed. */
  readonly authorization: AuthorizationSettings;
  /** Settings that are set but no longer read (each gets a start-up warning). */
  readonly retiredSettings: readonly RetiredSettingName[];
}
