/** Every setting the app reads, by the name users put in app settings or local.settings.json. */
export const SettingNames = {
  connectionString: "AZURE_WEBPUBSUB_CONNECTION_STRING",
  hub: "AZURE_WEBPUBSUB_HUB",
  endpoint: "AZURE_WEBPUBSUB_ENDPOINT",
  accessKey: "AZURE_WEBPUBSUB_ACCESS_KEY",
  secondaryKey: "AZURE_WEBPUBSUB_SECONDARY_KEY",
  eventAuth: "SWITCHBOARD_EVENT_AUTH",
  eventAudience: "SWITCHBOARD_EVENT_AUDIENCE",
  eventTenantId: "SWITCHBOARD_EVENT_TENANT_ID",
  eventIdentity: "SWITCHBOARD_EVENT_IDENTITY",
  entraAuthority: "SWITCHBOARD_ENTRA_AUTHORITY",
  allowedOrigins: "SWITCHBOARD_ALLOWED_ORIGINS",
  storage: "SWITCHBOARD_STORAGE_CONNECTION_STRING",
  webJobsStorage: "AzureWebJobsStorage",
  table: "SWITCHBOARD_TABLE",
  tokenTtlMinutes: "SWITCHBOARD_TOKEN_TTL_MINUTES",
  tokenRoles: "SWITCHBOARD_TOKEN_ROLES",
  tokenGroups: "SWITCHBOARD_TOKEN_GROUPS",
  devQueryUserId: "SWITCHBOARD_DEV_ALLOW_QUERY_USER_ID",
  trustPrincipalHeaders: "SWITCHBOARD_TRUST_PRINCIPAL_HEADERS",
  connectRoles: "SWITCHBOARD_CONNECT_ROLES",
  connectGroups: "SWITCHBOARD_CONNECT_GROUPS",
  anonymousUsers: "SWITCHBOARD_ALLOW_ANONYMOUS",
  maxConnectionsPerUser: "SWITCHBOARD_MAX_CONNECTIONS_PER_USER",
  maxMessageBytes: "SWITCHBOARD_MAX_MESSAGE_BYTES",
  joinGroups: "SWITCHBOARD_JOIN_GROUPS",
  sendGroups: "SWITCHBOARD_SEND_GROUPS",
  presenceGroups: "SWITCHBOARD_PRESENCE_GROUPS",
  directMessages: "SWITCHBOARD_DIRECT_MESSAGES",
  maxGroupsPerConnection: "SWITCHBOARD_MAX_GROUPS_PER_CONNECTION",
  echoRawFrames: "SWITCHBOARD_ECHO_RAW_FRAMES",
  storageTimeoutMs: "SWITCHBOARD_STORAGE_TIMEOUT_MS",
  serviceTimeoutMs: "SWITCHBOARD_SERVICE_TIMEOUT_MS",
  eventTimeoutMs: "SWITCHBOARD_EVENT_TIMEOUT_MS",
  messagesPerMinute: "SWITCHBOARD_MESSAGES_PER_MINUTE",
  demoPage: "SWITCHBOARD_DEMO_PAGE",
  adminRole: "SWITCHBOARD_ADMIN_ROLE",
} as const;

/**
 * Names of identity-based storage connections, as the Functions host spells them: the settings
 * are `<name>__accountName`, `<name>__tableServiceUri`, `<name>__credential`, `<name>__clientId`.
 */
export const StorageConnectionNames = {
  own: "SWITCHBOARD_STORAGE",
  host: "AzureWebJobsStorage",
} as const;

/** Settings the platform sets itself; read, never configured by hand. */
export const PlatformSettingNames = {
  /** "True" when App Service Authentication is on: only then are principal headers the platform's. */
  websiteAuthEnabled: "WEBSITE_AUTH_ENABLED",
} as const;

/** Settings earlier versions read; set, each is named in a start-up warning. */
export const RetiredSettingNames = {
  /** Sending to a group always needs membership now; `SWITCHBOARD_SEND_GROUPS` decides the rest. */
  sendRequiresMembership: "SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP",
  /** Events are authenticated by signature or by Entra ID token (`SWITCHBOARD_EVENT_AUTH`). */
  allowUnsignedEvents: "SWITCHBOARD_ALLOW_UNSIGNED_EVENTS",
  /** The `?code=` secret went with unsigned events. */
  eventCode: "SWITCHBOARD_EVENT_CODE",
} as const;

export type RetiredSettingName = (typeof RetiredSettingNames)[keyof typeof RetiredSettingNames];

export type SettingName =
  | (typeof SettingNames)[keyof typeof SettingNames]
  | (typeof PlatformSettingNames)[keyof typeof PlatformSettingNames]
  | (typeof RetiredSettingNames)[keyof typeof RetiredSettingNames];
