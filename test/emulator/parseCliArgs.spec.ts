import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../emulator/parseCliArgs.js";

describe("emulator CLI arguments", () => {
  it("When a hub and a handler are given, then the hub gets that handler with all system events and every user event", () => {
    const parsed = parseCliArgs([
      "--hub",
      "chat",
      "--handler",
      "http://localhost:7071/api/events/{event}",
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 8080,
        hubs: {
          chat: {
            eventHandlers: [
              {
                urlTemplate: "http://localhost:7071/api/events/{event}",
                userEventPattern: "*",
                systemEvents: ["connect", "connected", "disconnected"],
              },
            ],
          },
        },
      },
    });
  });

  it("When flags and environment both give the port and key, then the flags win; otherwise the environment is used", () => {
    const env = { EMULATOR_PORT: "9000", EMULATOR_ACCESS_KEY: "env-key" };
    expect(parseCliArgs([], env)).toMatchObject({ options: { port: 9000, accessKey: "env-key" } });
    expect(
      parseCliArgs(["--port", "0", "--access-key", "flag-key", "--host", "0.0.0.0"], env),
    ).toMatchObject({
      options: { port: 0, accessKey: "flag-key", host: "0.0.0.0" },
    });
  });

  it("When a secondary access key comes from the flag or EMULATOR_SECONDARY_ACCESS_KEY, then the options carry it, the flag winning; without either there is none", () => {
    const env = { EMULATOR_ACCESS_KEY: "env-key", EMULATOR_SECONDARY_ACCESS_KEY: "env-second" };
    expect(parseCliArgs([], env)).toMatchObject({
      options: { accessKey: "env-key", secondaryAccessKey: "env-second" },
    });
    expect(
      parseCliArgs(["--access-key", "flag-key", "--secondary-access-key", "flag-second"], env),
    ).toMatchObject({ options: { accessKey: "flag-key", secondaryAccessKey: "flag-second" } });
    const none = parseCliArgs(["--access-key", "flag-key"], { EMULATOR_SECONDARY_ACCESS_KEY: "" });
    expect(!none.help && "secondaryAccessKey" in none.options).toBe(false);
  });

  it("When system events and a user event pattern are given, then the handler uses them", () => {
    const parsed = parseCliArgs([
      "--hub",
      "a",
      "--handler",
      "http://h/{event}",
      "--system-events",
      "connected,disconnected",
      "--user-event-pattern",
      "message",
    ]);
    expect(!parsed.help && parsed.options.hubs?.a?.eventHandlers[0]).toEqual({
      urlTemplate: "http://h/{event}",
      userEventPattern: "message",
      systemEvents: ["connected", "disconnected"],
    });
  });

  it("When --managed-identity-resource is given, then every handler authenticates with a managed identity token for it", () => {
    const parsed = parseCliArgs([
      "--hub",
      "chat",
      "--handler",
      "http://h/{event}",
      "--managed-identity-resource",
      "api://switchboard",
    ]);
    expect(!parsed.help && parsed.options.hubs?.chat?.eventHandlers[0]?.auth).toEqual({
      type: "ManagedIdentity",
      managedIdentity: { resource: "api://switchboard" },
    });
  });

  it("When an Entra ID tenant is given, then the REST API accepts its tokens from the public authority unless another is named", () => {
    expect(parseCliArgs(["--entra-tenant", "t1"])).toMatchObject({
      options: { entraId: { authority: "https://login.microsoftonline.com", tenantId: "t1" } },
    });
    expect(
      parseCliArgs(["--entra-tenant", "t1", "--entra-authority", "http://127.0.0.1:9"]),
    ).toMatchObject({ options: { entraId: { authority: "http://127.0.0.1:9", tenantId: "t1" } } });
    expect(parseCliArgs(["--allow-unvalidated-entra-tokens"])).toMatchObject({
      options: { entraId: { allowUnvalidatedTokens: true } },
    });
  });

  it("When --disable-local-auth is given with Entra ID, then the options carry it", () => {
    expect(
      parseCliArgs(["--disable-local-auth", "--allow-unvalidated-entra-tokens"]),
    ).toMatchObject({ options: { disableLocalAuth: true } });
  });

  it("When --tls-cert and --tls-key are given, then the options carry the files' contents", () => {
    const files: Record<string, string> = { "cert.pem": "CERT", "key.pem": "KEY" };
    const read = (path: string) => Buffer.from(files[path] ?? "");
    const parsed = parseCliArgs(["--tls-cert", "cert.pem", "--tls-key", "key.pem"], {}, read);
    expect(!parsed.help && parsed.options.tls).toEqual({
      cert: Buffer.from("CERT"),
      key: Buffer.from("KEY"),
    });
    const missing = () => {
      throw new Error("ENOENT");
    };
    expect(() =>
      parseCliArgs(["--tls-cert", "none.pem", "--tls-key", "key.pem"], {}, missing),
    ).toThrow(/Cannot read none.pem/);
  });

  it.each([
    [["--port", "70000"]],
    [["--port", "abc"]],
    [["--handler", "http://h/{event}"]],
    [["--hub", "a", "--handler", "http://h", "--system-events", "connect,joined"]],
    [["--unknown"]],
    [["--secondary-access-key"]],
    [["--managed-identity-resource", "api://x"]],
    [["--entra-authority", "http://127.0.0.1:9"]],
    [["--allow-unvalidated-entra-tokens", "--entra-tenant", "t1"]],
    [["--disable-local-auth"]],
    [["--tls-cert", "cert.pem"]],
  ])("When the arguments are %j, then parsing throws", (args) => {
    expect(() => parseCliArgs(args)).toThrow();
  });
});
