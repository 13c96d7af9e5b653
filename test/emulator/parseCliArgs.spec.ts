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

  it.each([
    [["--port", "70000"]],
    [["--port", "abc"]],
    [["--handler", "http://h/{event}"]],
    [["--hub", "a", "--handler", "http://h", "--system-events", "connect,joined"]],
    [["--unknown"]],
    [["--secondary-access-key"]],
  ])("When the arguments are %j, then parsing throws", (args) => {
    expect(() => parseCliArgs(args)).toThrow();
  });
});
