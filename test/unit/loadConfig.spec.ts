import { describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/config/configError.js";
import { loadConfig } from "../../shared/config/loadConfig.js";
import { startupWarnings } from "../../shared/config/startupWarnings.js";

const base = {
  AZURE_WEBPUBSUB_CONNECTION_STRING:
    "Endpoint=https://demo.webpubsub.azure.com;AccessKey=primary-key;Version=1.0;",
  AZURE_WEBPUBSUB_HUB: "chat",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("When the connection string and hub are set, then keys, origins and defaults follow from them", () => {
    const config = loadConfig({ ...base, AZURE_WEBPUBSUB_SECONDARY_KEY: "secondary-key" });
    expect(config.hub).toBe("chat");
    expect(config.service).toMatchObject({
      auth: "key",
      endpoint: "https://demo.webpubsub.azure.com/",
    });
    expect(config.eventAuth).toEqual({
      mode: "signature",
      signingKeys: ["primary-key", "secondary-key"],
    });
    expect([...config.allowedOrigins.hosts]).toEqual(["demo.webpubsub.azure.com"]);
    expect(config.allowedOrigins.any).toBe(false);
    expect(config.storage).toEqual({
      auth: "connectionString",
      connectionString: "UseDevelopmentStorage=true",
      table: "Switchboard",
    });
    expect(config.negotiate).toEqual({
      tokenTtlMinutes: 10,
      roles: [],
      groups: [],
      allowQueryUserId: false,
      trustPrincipalHeaders: false,
    });
    expect(config.messages).toMatchObject({ maxGroupsPerConnection: 100, echoRawFrames: false });
    expect(config.authorization.joinGroups).toEqual([]);
    expect(config.authorization.sendGroups.map((pattern) => pattern.source)).toEqual(["*"]);
    expect(config.authorization.directMessages).toBe(true);
    expect(config.retiredSettings).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("When nothing is set, then one error names every missing setting", () => {
    const found = problems({});
    expect(found.join("\n")).toMatch(/AZURE_WEBPUBSUB_HUB is missing/);
    expect(found.join("\n")).toMatch(/AZURE_WEBPUBSUB_CONNECTION_STRING is missing/);
    expect(found.join("\n")).toMatch(/AzureWebJobsStorage is missing/);
    expect(() => loadConfig({})).toThrow(/cannot start/);
  });

  it("When settings are malformed, then each is named", () => {
    const found = problems({
      ...base,
      AZURE_WEBPUBSUB_HUB: "9bad hub",
      SWITCHBOARD_TOKEN_TTL_MINUTES: "forever",
      SWITCHBOARD_DIRECT_MESSAGES: "maybe",
      SWITCHBOARD_TABLE: "x",
      SWITCHBOARD_ALLOWED_ORIGINS: "https://ok.example.com/path",
    });
    expect(found).toHaveLength(5);
  });

  it("When the group patterns are set, then they are read as listed, and 'none' means no group", () => {
    const config = loadConfig({
      ...base,
      SWITCHBOARD_JOIN_GROUPS: " lobby , room-* ,inbox-{userId}",
      SWITCHBOARD_SEND_GROUPS: "none",
    });
    expect(config.authorization.joinGroups.map((pattern) => pattern.source)).toEqual([
      "lobby",
      "room-*",
      "inbox-{userId}",
    ]);
    expect(config.authorization.sendGroups).toEqual([]);
    expect(problems({ ...base, SWITCHBOARD_SEND_GROUPS: "none,lobby" }).join()).toMatch(
      /'none' stands alone/,
    );
  });

  it("When SWITCHBOARD_PRESENCE_GROUPS is unset, then no group announces presence; when set, its patterns are read, without {userId}", () => {
    expect(loadConfig(base).presenceGroups).toEqual([]);
    const config = loadConfig({ ...base, SWITCHBOARD_PRESENCE_GROUPS: " lobby , room-* " });
    expect(config.presenceGroups.map((pattern) => pattern.source)).toEqual(["lobby", "room-*"]);
    expect(problems({ ...base, SWITCHBOARD_PRESENCE_GROUPS: "inbox-{userId}" }).join()).toMatch(
      /SWITCHBOARD_PRESENCE_GROUPS may not hold \{userId\}/,
    );
  });

  it("When the retired SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP is set, then start-up warns that it is no longer read", () => {
    const config = loadConfig({ ...base, SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP: "false" });
    expect(config.retiredSettings).toEqual(["SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP"]);
    expect(startupWarnings(config).join("\n")).toMatch(
      /SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP is no longer read.*SWITCHBOARD_SEND_GROUPS/,
    );
  });

  it.each([
    [
      "AzureWebJobsStorage__accountName alone",
      { AzureWebJobsStorage__accountName: "sbstore01" },
      { endpoint: "https://sbstore01.table.core.windows.net", credential: "default" },
    ],
    [
      "a user-assigned managed identity",
      {
        AzureWebJobsStorage__accountName: "sbstore01",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: "00000000-1111-2222-3333-444444444444",
      },
      {
        endpoint: "https://sbstore01.table.core.windows.net",
        credential: "managedidentity",
        clientId: "00000000-1111-2222-3333-444444444444",
      },
    ],
    [
      "a table service URI on SWITCHBOARD_STORAGE",
      {
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
        SWITCHBOARD_STORAGE__tableServiceUri: "https://other.table.core.chinacloudapi.cn/",
      },
      { endpoint: "https://other.table.core.chinacloudapi.cn", credential: "default" },
    ],
  ])(
    "When storage is reached by identity (%s), then the table client is built from the endpoint",
    (_, storage, expected) => {
      const config = loadConfig({ ...base, AzureWebJobsStorage: undefined, ...storage });
      expect(config.storage).toEqual({ auth: "identity", table: "Switchboard", ...expected });
    },
  );

  it("When a storage connection string and an identity are both set, then the connection string of the app's own setting wins", () => {
    const config = loadConfig({
      ...base,
      SWITCHBOARD_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true",
      SWITCHBOARD_STORAGE__accountName: "sbstore01",
    });
    expect(config.storage.auth).toBe("connectionString");
  });

  it.each([
    [
      { AzureWebJobsStorage__accountName: "Not_An_Account" },
      /__accountName must be a storage account name/,
    ],
    [
      { AzureWebJobsStorage__tableServiceUri: "http://plain.example" },
      /__tableServiceUri must be an https URL/,
    ],
    [
      { AzureWebJobsStorage__accountName: "sbstore01", AzureWebJobsStorage__credential: "secret" },
      /__credential must be managedidentity/,
    ],
    [{ AzureWebJobsStorage__clientId: "x" }, /set without AzureWebJobsStorage__accountName/],
  ])(
    "When identity-based storage settings are malformed (%j), then start-up names the problem",
    (storage, reason) => {
      const settings = { ...base, AzureWebJobsStorage: undefined, ...storage };
      expect(problems(settings).join("\n")).toMatch(reason);
    },
  );

  it.each([
    ["no AccessKey", "Endpoint=https://x.webpubsub.azure.com;Version=1.0;", /has no AccessKey/],
    ["no Endpoint", "AccessKey=k;Version=1.0;", /has no Endpoint/],
    ["a duplicate key", "Endpoint=https://a;Endpoint=https://b;AccessKey=k", /twice/],
    ["a bad port", "Endpoint=http://localhost;Port=99999;AccessKey=k", /Port/],
    ["a non-http endpoint", "Endpoint=ftp://x;AccessKey=k", /not an http/],
  ])("When the connection string has %s, then start-up is refused", (_, value, reason) => {
    expect(problems({ ...base, AZURE_WEBPUBSUB_CONNECTION_STRING: value }).join()).toMatch(reason);
  });

  it("When the connection string is refused, then its key never appears in the message", () => {
    const found = problems({
      ...base,
      AZURE_WEBPUBSUB_CONNECTION_STRING: "AccessKey=super-secret-value;Version=1.0",
    });
    expect(found.join()).not.toMatch(/super-secret-value/);
  });

  it("When Entra ID is used for REST without any key, then start-up is refused (fail closed)", () => {
    const env = {
      AZURE_WEBPUBSUB_ENDPOINT: "https://demo.webpubsub.azure.com",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
    };
    expect(problems(env).join()).toMatch(/no access key to verify event signatures/);
    const withKey = loadConfig({ ...env, AZURE_WEBPUBSUB_ACCESS_KEY: "k1" });
    expect(withKey.service).toEqual({
      auth: "entra",
      endpoint: "https://demo.webpubsub.azure.com/",
    });
    expect(withKey.eventAuth).toEqual({ mode: "signature", signingKeys: ["k1"] });
  });

  describe("SWITCHBOARD_EVENT_AUTH=entra", () => {
    const tenant = "72F988BF-86F1-41AF-91AB-2D7CD011DB47";
    const entra = {
      AZURE_WEBPUBSUB_ENDPOINT: "https://demo.webpubsub.azure.com",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage__accountName: "acct",
      SWITCHBOARD_EVENT_AUTH: "Entra",
      SWITCHBOARD_EVENT_AUDIENCE: "api://switchboard-events, 00000000-1111-2222-3333-444444444444",
      SWITCHBOARD_EVENT_TENANT_ID: tenant,
    };

    it("When the audience and tenant are set, then no access key is needed", () => {
      const config = loadConfig(entra);
      expect(config.eventAuth).toEqual({
        mode: "entra",
        audiences: ["api://switchboard-events", "00000000-1111-2222-3333-444444444444"],
        tenantId: tenant.toLowerCase(),
        identity: undefined,
        authority: "https://login.microsoftonline.com",
      });
      expect(startupWarnings(config).join()).toMatch(/SWITCHBOARD_EVENT_IDENTITY is not set/);
    });

    it("When the identity and a sovereign authority are set, then both are kept", () => {
      const config = loadConfig({
        ...entra,
        SWITCHBOARD_EVENT_IDENTITY: "AAAAAAAA-0000-0000-0000-000000000001",
        SWITCHBOARD_ENTRA_AUTHORITY: "https://login.chinacloudapi.cn/",
      });
      expect(config.eventAuth).toMatchObject({
        identity: "aaaaaaaa-0000-0000-0000-000000000001",
        authority: "https://login.chinacloudapi.cn",
      });
      expect(startupWarnings(config).join()).not.toMatch(/SWITCHBOARD_EVENT_IDENTITY/);
    });

    it("When the audience or the tenant is missing or the tenant is a name, then each is named", () => {
      const found = problems({
        ...entra,
        SWITCHBOARD_EVENT_AUDIENCE: "",
        SWITCHBOARD_EVENT_TENANT_ID: "contoso.onmicrosoft.com",
      }).join("\n");
      expect(found).toMatch(/needs SWITCHBOARD_EVENT_AUDIENCE/);
      expect(found).toMatch(
        /needs SWITCHBOARD_EVENT_TENANT_ID: the directory \(tenant\) id, a GUID/,
      );
    });

    it.each([
      ["plain http off loopback", "http://login.example.com"],
      ["not a URL", "login.microsoftonline.com"],
      ["a URL with a query", "https://login.microsoftonline.com/?x=1"],
    ])("When the authority is %s, then start-up is refused", (_, authority) => {
      expect(problems({ ...entra, SWITCHBOARD_ENTRA_AUTHORITY: authority }).join()).toMatch(
        /SWITCHBOARD_ENTRA_AUTHORITY must be an https URL/,
      );
    });

    it("When the authority is plain http on loopback (a local issuer), then it is accepted", () => {
      const config = loadConfig({ ...entra, SWITCHBOARD_ENTRA_AUTHORITY: "http://127.0.0.1:4010" });
      expect(config.eventAuth).toMatchObject({ authority: "http://127.0.0.1:4010" });
    });
  });

  it("When the event authentication mode is unknown, then start-up is refused", () => {
    expect(problems({ ...base, SWITCHBOARD_EVENT_AUTH: "code" }).join()).toMatch(
      /SWITCHBOARD_EVENT_AUTH must be 'signature' or 'entra', not 'code'/,
    );
  });

  it("When unsigned events are still asked for, then start-up is refused and the way forward named", () => {
    expect(problems({ ...base, SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "true" }).join()).toMatch(
      /SWITCHBOARD_ALLOW_UNSIGNED_EVENTS and its \?code= are gone.*SWITCHBOARD_EVENT_AUTH=entra/,
    );
    const config = loadConfig({
      ...base,
      SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "false",
      SWITCHBOARD_EVENT_CODE: "x".repeat(32),
    });
    expect(startupWarnings(config)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SWITCHBOARD_ALLOW_UNSIGNED_EVENTS is no longer read: events are/),
        expect.stringMatching(/^SWITCHBOARD_EVENT_CODE is no longer read/),
      ]),
    );
  });

  it.each([
    ["garbage", "not a connection string", /AzureWebJobsStorage\) must hold/],
    [
      "a name without a key",
      "AccountName=x;TableEndpoint=https://x.table.core.windows.net",
      /must hold/,
    ],
  ])("When the storage connection string is %s, then start-up is refused", (_, value, reason) => {
    expect(problems({ ...base, AzureWebJobsStorage: value }).join()).toMatch(reason);
  });

  it("When the storage connection string has a key or a SAS, then it is accepted", () => {
    for (const value of [
      "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net",
      "TableEndpoint=https://acct.table.core.windows.net;SharedAccessSignature=sv=2022&sig=abc",
    ]) {
      expect(problems({ ...base, SWITCHBOARD_STORAGE_CONNECTION_STRING: value })).toEqual([]);
    }
  });

  it("When extra origins are configured, then hosts with and without port are allowed", () => {
    const config = loadConfig({
      ...base,
      AZURE_WEBPUBSUB_CONNECTION_STRING:
        "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;",
      SWITCHBOARD_ALLOWED_ORIGINS: "Custom.Example.com, https://replica.webpubsub.azure.com",
    });
    expect([...config.allowedOrigins.hosts].sort()).toEqual([
      "custom.example.com",
      "localhost",
      "localhost:8080",
      "replica.webpubsub.azure.com",
    ]);
  });
});

describe("local.settings.sample.json", () => {
  it("When the sample settings are loaded, then they form a valid configuration naming every setting", async () => {
    const { readFile } = await import("node:fs/promises");
    const { SettingNames } = await import("../../shared/config/settingNames.js");
    const sample = JSON.parse(await readFile("local.settings.sample.json", "utf8")) as {
      Values: Record<string, string>;
    };
    const config = loadConfig(sample.Values);
    // Publishing the sample's values (--publish-local-settings) turns on nothing for development.
    expect(config.negotiate.allowQueryUserId).toBe(false);
    expect(config.demoPage).toBe(false);
    expect(config.messages.echoRawFrames).toBe(false);
    expect(config.eventAuth.mode).toBe("signature");
    expect(config.allowedOrigins.any).toBe(false);
    expect(config.hub).toBe("chat");
    expect(config.service.endpoint).toBe("http://localhost:8080/");
    expect(Object.keys(sample.Values).sort()).toEqual(
      [...Object.values(SettingNames), "FUNCTIONS_WORKER_RUNTIME"].sort(),
    );
  });
});
