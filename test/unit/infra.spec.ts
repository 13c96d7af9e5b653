import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SettingNames, StorageConnectionNames } from "../../shared/config/settingNames.js";
import { EVENT_ROUTES } from "../../shared/events/eventRoutes.js";
import { bicepObject } from "../fixtures/bicepObject.js";

/** A file of the repository, as text. */
function source(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
}

interface EventHandler {
  urlPath: string;
  systemEvents: string[];
  userEventPattern: string;
}

const eventHandler = JSON.parse(source("infra/app/eventHandler.json")) as EventHandler;
const webPubSubBicep = source("infra/app/webPubSub.bicep");
const appSettingsBicep = source("infra/app/appSettings.bicep");
const mainBicep = source("infra/main.bicep");
const appSettings = bicepObject(appSettingsBicep, "appSettings");
const azureYaml = source("azure.yaml");

/** The Functions host's suffixes of an identity-based connection, for the host and the app. */
const CONNECTION_SUFFIXES = [
  "accountName",
  "tableServiceUri",
  "blobServiceUri",
  "queueServiceUri",
  "credential",
  "clientId",
];

/** Settings read by the platform or a library, never by the app itself. */
const PLATFORM_SETTINGS = [
  // DefaultAzureCredential (Web PubSub's REST API): the user-assigned identity's client id.
  "AZURE_CLIENT_ID",
  // The Functions host's telemetry, sent with the identity since Application Insights has no keys.
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  // App Service Authentication: the identity stands in for the app registration's secret.
  "OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID",
];

const APP_SETTINGS = new Set<string>([
  ...Object.values(SettingNames),
  ...Object.values(StorageConnectionNames).flatMap((connection) =>
    CONNECTION_SUFFIXES.map((suffix) => `${connection}__${suffix}`),
  ),
]);

/** `route` of the `app.http` registration in functions/events.ts. */
function eventsRoute(): string {
  const route = /route:\s*"([^"]+)"/.exec(source("functions/events.ts"))?.[1];
  if (route === undefined) throw new Error("functions/events.ts registers no route");
  return route;
}

/** host.json's `extensions.http.routePrefix`; the Functions host uses `api` when it is absent. */
function routePrefix(): string {
  const host = JSON.parse(source("host.json")) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return host.extensions?.http?.routePrefix ?? "api";
}

/** The `param` line of main.bicep that declares `name`, e.g. `param name bool = true`. */
function mainParam(name: string): { type: string; defaultValue: string | undefined } {
  const match = new RegExp(`^param ${name} (\\w+)(?: = (.+))?$`, "m").exec(mainBicep);
  if (match?.[1] === undefined) throw new Error(`main.bicep declares no param ${name}`);
  return { type: match[1], defaultValue: match[2] };
}

describe("infra/: the hub's event handler", () => {
  it("When the event handler is provisioned, then its URL path is the events function's route under the host's route prefix", () => {
    const prefix = routePrefix();
    const expected = prefix === "" ? eventsRoute() : `${prefix}/${eventsRoute()}`;

    expect(eventHandler.urlPath).toBe(expected);
    expect(webPubSubBicep).toContain("var eventHandler = loadJsonContent('eventHandler.json')");
    expect(webPubSubBicep).toContain(
      "urlTemplate: 'https://${appHostName}/${eventHandler.urlPath}'",
    );
  });

  it("When the event handler is provisioned, then its system events and user event pattern are exactly the events the app has routes for", () => {
    const served = EVENT_ROUTES.filter((route) => route !== "validate");
    const subscribed = [...eventHandler.systemEvents, eventHandler.userEventPattern];

    expect([...subscribed].sort()).toEqual([...served].sort());
    expect(eventHandler.systemEvents).not.toContain("message");
    expect(webPubSubBicep).toContain("systemEvents: eventHandler.systemEvents");
    expect(webPubSubBicep).toContain("userEventPattern: eventHandler.userEventPattern");
  });

  it("When the event handler is provisioned, then it sends a managed-identity token for the audience the app checks", () => {
    expect(webPubSubBicep).toMatch(
      /auth: \{\s*type: 'ManagedIdentity'\s*managedIdentity: \{\s*resource: eventAudience\s*\}/,
    );
    expect(mainBicep).toContain("eventAudience: entraApp.outputs.appId");
    expect(mainBicep).toContain("entraAppId: entraApp.outputs.appId");
    expect(appSettings.get("SWITCHBOARD_EVENT_AUDIENCE")).toBe("entraAppId");
    expect(appSettings.get("SWITCHBOARD_EVENT_IDENTITY")).toBe("webPubSubPrincipalId");
    expect(mainBicep).toContain("webPubSubPrincipalId: webPubSub.outputs.principalId");
  });
});

describe("infra/: the Function App's settings", () => {
  it("When the app settings are provisioned, then every name is one the app reads or a listed platform setting", () => {
    const unknown = [...appSettings.keys()].filter(
      (name) => !APP_SETTINGS.has(name) && !PLATFORM_SETTINGS.includes(name),
    );

    expect(appSettings.size).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it("When the app settings are provisioned, then Web PubSub, Entra ID events and storage by identity are all configured", () => {
    const host = StorageConnectionNames.host;

    expect([...appSettings.keys()]).toEqual(
      expect.arrayContaining([
        "AZURE_WEBPUBSUB_ENDPOINT",
        "AZURE_WEBPUBSUB_HUB",
        "SWITCHBOARD_EVENT_AUTH",
        "SWITCHBOARD_EVENT_AUDIENCE",
        "SWITCHBOARD_EVENT_TENANT_ID",
        "SWITCHBOARD_EVENT_IDENTITY",
        "SWITCHBOARD_JOIN_GROUPS",
        `${host}__accountName`,
        `${host}__credential`,
        `${host}__clientId`,
      ]),
    );
    expect(appSettings.get(`${host}__credential`)).toBe("'managedidentity'");
    expect(appSettings.has("AZURE_WEBPUBSUB_CONNECTION_STRING")).toBe(false);
  });

  it("When Web PubSub's local auth is disabled, then the app authenticates events with Entra ID", () => {
    const disableLocalAuth = mainParam("disableLocalAuth");
    const eventAuth = appSettings.get("SWITCHBOARD_EVENT_AUTH");
    const whenDisabled =
      eventAuth === undefined
        ? undefined
        : (/^disableLocalAuth \? '(\w+)' : '\w+'$/.exec(eventAuth)?.[1] ??
          /^'(\w+)'$/.exec(eventAuth)?.[1]);

    expect(disableLocalAuth).toEqual({ type: "bool", defaultValue: "true" });
    expect(webPubSubBicep).toContain("disableLocalAuth: disableLocalAuth");
    expect(whenDisabled).toBe("entra");
  });
});

describe("azure.yaml: the api service", () => {
  /** The value of a `key: value` line of azure.yaml (each key used here appears once). */
  function yamlValue(key: string): string | undefined {
    return new RegExp(`^\\s*${key}: (.+)$`, "m").exec(azureYaml)?.[1];
  }

  it("When azd deploys the app, then it uploads the folder npm run package stages, without a remote build", () => {
    const scripts = (JSON.parse(source("package.json")) as { scripts: Record<string, string> })
      .scripts;
    const ignored = source(".funcignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));

    expect(yamlValue("host")).toBe("function");
    expect(yamlValue("dist")).toBe(".deploy/package");
    expect(source("deploy/package.sh")).toContain('"${1:-$root/.deploy/package}"');
    expect(yamlValue("remoteBuild")).toBe("false");
    expect(azureYaml).toMatch(/prepackage:\s*\n\s*shell: sh\s*\n\s*run: npm run package$/m);
    expect(scripts.package).toBe("bash deploy/package.sh");
    // azd refuses remoteBuild: false when the project's .funcignore ignores node_modules.
    expect(ignored.filter((line) => /^\/?node_modules\/?$/.test(line))).toEqual([]);
  });
});
