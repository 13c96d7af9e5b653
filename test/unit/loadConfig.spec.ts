import { describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/config/configError.js";
import { loadConfig } from "../../shared/config/loadConfig.js";

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
    expect(config.signingKeys).toEqual(["primary-key", "secondary-key"]);
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

  it("When the retired SWITCHBOARD_SEND_REQUIRES_MEMBERSHIP is set, then start-up warns that it is no longer read", async () => {
    const { startupWarnings } = await import("../../shared/config/startupWarnings.js");
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

  it("When Entra ID is used without any key or opt-out, then start-up is refused (fail closed)", () => {
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
    expect(withKey.signingKeys).toEqual(["k1"]);
    expect(problems({ ...env, SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "true" }).join()).toMatch(
      /needs SWITCHBOARD_EVENT_CODE/,
    );
    const optedOut = loadConfig({
      ...env,
      SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "true",
      SWITCHBOARD_EVENT_CODE: "x".repeat(32),
    });
    expect(optedOut.signingKeys).toEqual([]);
    expect(optedOut.allowUnsignedEvents).toBe(true);
    expect(optedOut.unsignedEventsCode).toBe("x".repeat(32));
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

  it("When unsigned events are allowed although a key exists, then start-up is refused", () => {
    expect(problems({ ...base, SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "true" }).join()).toMatch(
      /remove it/,
    );
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
    expect(config.allowUnsignedEvents).toBe(false);
    expect(config.allowedOrigins.any).toBe(false);
    expect(config.hub).toBe("chat");
    expect(config.service.endpoint).toBe("http://localhost:8080/");
    expect(Object.keys(sample.Values).sort()).toEqual(
      [...Object.values(SettingNames), "FUNCTIONS_WORKER_RUNTIME"].sort(),
    );
  });
});
