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

  it("When events are authenticated by Entra ID without a caller identity, then start-up succeeds and warns", () => {
    process.env = {
      AZURE_WEBPUBSUB_ENDPOINT: "https://x.webpubsub.azure.com",
      AZURE_WEBPUBSUB_HUB: "chat",
      AzureWebJobsStorage__accountName: "acct",
      SWITCHBOARD_EVENT_AUTH: "entra",
      SWITCHBOARD_EVENT_AUDIENCE: "api://switchboard",
      SWITCHBOARD_EVENT_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      WEBSITE_AUTH_ENABLED: "True",
    };
    const warnings: string[] = [];
    startApp((message) => warnings.push(message));
    expect(warnings).toEqual([
      "Switchboard: SWITCHBOARD_EVENT_IDENTITY is not set: any identity of the tenant holding a token for SWITCHBOARD_EVENT_AUDIENCE may post events; set it to the Web PubSub resource's managed identity",
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
