import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { HttpHandler, HttpResponseInit } from "@azure/functions";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installCoreApi, type CoreRegistry } from "../../dev/coreApiShim.js";
import { importBuiltFunctions } from "../../dev/importBuiltFunctions.js";
import { AppTable } from "../fixtures/appTable.js";
import { serviceEvent } from "../fixtures/serviceEvent.js";
import { PRIMARY_KEY, uniqueId } from "../fixtures/testApp.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const table = `P${uniqueId("").replace(/-/g, "").slice(0, 20)}`;

interface PackageJson {
  type?: string;
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

// Outside the repository, so a module missing from the bundle cannot resolve from the
// project's own node_modules.
let pkg = "";
let registry: CoreRegistry;
const saved = { ...process.env };

beforeAll(async () => {
  pkg = join(await mkdtemp(join(tmpdir(), "switchboard-package-")), "package");
  await run("bash", [join(root, "deploy", "package.sh"), pkg], { cwd: root, timeout: 110_000 });
  // The packaged app, loaded as the worker loads it: the entry glob of its package.json, with
  // `@azure/functions-core` provided from outside.
  Object.assign(process.env, {
    AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://demo.webpubsub.azure.com;AccessKey=${PRIMARY_KEY};Version=1.0;`,
    AZURE_WEBPUBSUB_HUB: "chat",
    AzureWebJobsStorage: inject("tableConnectionString"),
    SWITCHBOARD_TABLE: table,
    WEBSITE_AUTH_ENABLED: "True",
  });
  registry = installCoreApi(() => undefined);
  await importBuiltFunctions(pkg);
  for (const hook of registry.hooks) {
    if (hook.name === "appStart") await hook.callback({ hookData: {} });
  }
}, 120_000);

afterAll(async () => {
  process.env = { ...saved };
  if (pkg !== "") await rm(dirname(pkg), { recursive: true, force: true });
});

async function call(name: string, request: HttpRequest): Promise<HttpResponseInit> {
  const registration = registry.functions.find((entry) => entry.metadata.name === name);
  if (registration === undefined) throw new Error(`the package registers no '${name}'`);
  const context = new InvocationContext({ functionName: name, logHandler: () => undefined });
  return await (registration.handler as HttpHandler)(request, context);
}

describe("npm run package", () => {
  it("When the app is packaged, then it holds the bundled entries, host.json and package.json only: no node_modules", async () => {
    expect((await readdir(pkg)).sort()).toEqual(["dist", "host.json", "package.json"]);
    const entries = (await readdir(join(root, "functions")))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.replace(/\.ts$/, ".js"));
    const packaged = (await readdir(join(pkg, "dist", "functions"))).filter((file) =>
      file.endsWith(".js"),
    );
    expect(packaged.sort()).toEqual(entries.sort());
    expect(await readFile(join(pkg, "host.json"), "utf8")).toBe(
      await readFile(join(root, "host.json"), "utf8"),
    );
  });

  it("When the app is packaged, then package.json keeps the module type and the entry glob, without scripts or dependencies", async () => {
    const app = await readJson<PackageJson>(join(root, "package.json"));
    const packaged = await readJson<PackageJson>(join(pkg, "package.json"));

    expect(packaged.type).toBe("module");
    expect(packaged.main).toBe(app.main);
    expect(packaged.scripts).toBeUndefined();
    expect(packaged.dependencies).toBeUndefined();
    expect(packaged.devDependencies).toBeUndefined();
  });

  it("When the package is loaded outside the repository, then it registers every function the source does", () => {
    expect(registry.functions.map((entry) => entry.metadata.name).sort()).toEqual([
      "admin",
      "chat",
      "events",
      "negotiate",
      "reconcile",
    ]);
  });

  it("When a signed connect reaches the packaged app, then its bundled Table Storage client writes the row", async () => {
    const connectionId = uniqueId();
    const request = serviceEvent({
      event: "connect",
      hub: "chat",
      connectionId,
      userId: "ada",
      keys: [PRIMARY_KEY],
      origin: "demo.webpubsub.azure.com",
      body: JSON.stringify({ claims: { sub: ["ada"] } }),
    });
    expect((await call("events", request)).status).toBe(204);
    const rows = new AppTable(
      TableClient.fromConnectionString(inject("tableConnectionString"), table, {
        allowInsecureConnection: true,
      }),
      "chat",
    );
    expect(await rows.connectionRow(connectionId)).toMatchObject({ userId: "ada", state: "live" });
  });

  it("When a signed-in user negotiates with the packaged app, then its bundled REST client signs the client token", async () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [] })).toString(
      "base64",
    );
    const response = await call(
      "negotiate",
      new HttpRequest({
        method: "GET",
        url: "http://localhost:7071/api/negotiate",
        headers: {
          "x-ms-client-principal": principal,
          "x-ms-client-principal-id": "ada",
          "x-ms-client-principal-name": "ada@example.com",
          "x-ms-client-principal-idp": "aad",
        },
      }),
    );
    expect(response.status).toBe(200);
    expect(typeof response.body).toBe("string");
    const { url } = JSON.parse(response.body as string) as { url: string };
    expect(url).toMatch(/^wss:\/\/demo\.webpubsub\.azure\.com\/client\/hubs\/chat\?access_token=/);
  });

  it("When the app is packaged, then it holds no TypeScript source, test or local settings", async () => {
    const files = await readdir(pkg, { recursive: true });

    expect(files.filter((file) => file.endsWith(".ts"))).toEqual([]);
    expect(files.filter((file) => /(^|\/)(test|dev|emulator|bench)(\/|$)/.test(file))).toEqual([]);
    expect(files.filter((file) => file.includes("local.settings"))).toEqual([]);
  });
});
