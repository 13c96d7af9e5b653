import type { AuthorizationSettings } from "../authorization/authorize.js";

/** The app's whole configuration, validated once by `loadConfig`. */
export interface Config {
  /** The one hub this app handles events for, as configured (compared case-insensitively). */
  readonly hub: string;
  /** How REST calls authenticate: with the connection string's key, or with Entra ID. */
  readonly service:
    | { readonly auth: "key"; readonly endpoint: string; readonly connectionString: string }
    | { readonly auth: "entra"; readonly endpoint: string };
  /** Access keys that may sign events (primary first). Empty only when unsigned events are allowed. */
  readonly signingKeys: readonly string[];
  readonly allowUnsignedEvents: boolean;
  /** With unsigned events: the secret every event URL must carry as `?code=`. */
  readonly unsignedEventsCode: string | undefined;
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
  /** Who may join, leave and send to which groups, and whether direct messages are allowed. */
  readonly authorization: AuthorizationSettings;
  /** Settings that are set but no longer read (each gets a start-up warning). */
  readonly retiredSettings: readonly string[];
}
