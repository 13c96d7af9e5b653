import { afterEach, describe, expect, it } from "vitest";
import { startApp } from "../../functions/adapter/startApp.js";
import { setRuntime } from "../../shared/runtime.js";

describe("app start", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    setRuntime(undefined);
  });

  it("When settings are missing, then start-up throws one error naming each of them", () => {
    process.env = {};
    expect(() => startApp(() => undefined)).toThrow(
      /AZURE_WEBPUBSUB_HUB is missing[\s\S]*AZURE_WEBPUBSUB_CONNECTION_STRING is missing[\s\S]*AzureWebJobsStorage is missing/,
    );
  });

  it("When Entra ID is configured without a signing key, then start-up is refused", () => {
    process.env = {
      AZURE_WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
    };
    expect(() => startApp(() => undefined)).toThrow(/no access key to verify event signatures/);
  });

  it("When unsigned events are explicitly allowed, then start-up succeeds and warns", () => {
    process.env = {
      AZURE_WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      SWITCHBOARD_ALLOW_UNSIGNED_EVENTS: "true",
      SWITCHBOARD_EVENT_CODE: "c".repeat(40),
      WEBSITE_AUTH_ENABLED: "True",
    };
    const warnings: string[] = [];
    startApp((message) => warnings.push(message));
    expect(warnings).toEqual([
      "Switchboard: SWITCHBOARD_ALLOW_UNSIGNED_EVENTS is on: event signatures are NOT verified, only the ?code= of SWITCHBOARD_EVENT_CODE",
    ]);
  });

  it("When the settings are safe, then start-up succeeds without warnings", () => {
    process.env = {
      AZURE_WEBPUBSUB_CONNECTION_STRING:
        "Endpoint=https://x.webpubsub.azure.com;AccessKey=k;Version=1.0;",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      WEBSITE_AUTH_ENABLED: "True",
    };
    const warnings: string[] = [];
    startApp((message) => warnings.push(message));
    expect(warnings).toEqual([]);
  });
});
