/** Header names of the Web PubSub upstream protocol (lower case, as Fetch `Headers` reports them). */
export const HeaderNames = {
  requestOrigin: "webhook-request-origin",
  allowedOrigin: "WebHook-Allowed-Origin",
  specVersion: "ce-specversion",
  type: "ce-type",
  source: "ce-source",
  id: "ce-id",
  time: "ce-time",
  hub: "ce-hub",
  connectionId: "ce-connectionid",
  eventName: "ce-eventname",
  userId: "ce-userid",
  subprotocol: "ce-subprotocol",
  connectionState: "ce-connectionstate",
  signature: "ce-signature",
  contentType: "content-type",
  contentLength: "content-length",
  /** With managed-identity authentication on the hub's event handler: `Bearer <Entra ID token>`. */
  authorization: "authorization",
} as const;

export const SystemEventTypes = {
  connect: "azure.webpubsub.sys.connect",
  connected: "azure.webpubsub.sys.connected",
  disconnected: "azure.webpubsub.sys.disconnected",
} as const;

export const USER_EVENT_TYPE_PREFIX = "azure.webpubsub.user.";
