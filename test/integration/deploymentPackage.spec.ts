import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
}

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

/** Every path under `dir`, relative to it, leaving out node_modules. */
async function appFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => !entry.startsWith("node_modules"));
}

// Outside the repository, so a module missing from the package cannot resolve from the
// project's own node_modules.
let pkg = "";

beforeAll(async () => {
  pkg = join(await mkdtemp(join(tmpdir(), "switchboard-package-")), "package");
  await run("bash", [join(root, "deploy", "package.sh"), pkg], { cwd: root, timeout: 110_000 });
}, 120_000);

afterAll(async () => {
  if (pkg !== "") await rm(dirname(pkg), { recursive: true, force: true });
});

describe("npm run package", () => {
  it("When the app is packaged, then it holds dist (functions, shared, web), host.json, package.json and node_modules only", async () => {
    expect((await readdir(pkg)).sort()).toEqual([
      "dist",
      "host.json",
      "node_modules",
      "package.json",
    ]);
    expect((await readdir(join(pkg, "dist"))).sort()).toEqual(["functions", "shared", "web"]);
    expect(await readFile(join(pkg, "host.json"), "utf8")).toBe(
      await readFile(join(root, "host.json"), "utf8"),
    );
  });

  it("When the app is packaged, then node_modules holds every package the lock file needs in production and none that only development needs", async () => {
    const lock = await readJson<{ packages: Record<string, LockEntry> }>(
      join(root, "package-lock.json"),
    );
    const app = await readJson<PackageJson>(join(root, "package.json"));
    const entries = Object.entries(lock.packages).filter(([path]) => path !== "");
    const devOnly = entries.filter(([, entry]) => entry.dev === true).map(([path]) => path);
    const production = entries
      .filter(([, entry]) => entry.dev !== true && entry.optional !== true)
      .map(([path]) => path);

    expect(devOnly.filter((path) => existsSync(join(pkg, path)))).toEqual([]);
    expect(production.filter((path) => !existsSync(join(pkg, path, "package.json")))).toEqual([]);
    for (const name of Object.keys(app.dependencies ?? {})) {
      expect(existsSync(join(pkg, "node_modules", name, "package.json")), name).toBe(true);
    }
    for (const tool of ["azurite", "playwright-core", "vitest", "typescript", "express"]) {
      expect(existsSync(join(pkg, "node_modules", tool)), tool).toBe(false);
    }
  });

  it("When the app is packaged, then package.json keeps the module type and the entry glob, without scripts or devDependencies", async () => {
    const app = await readJson<PackageJson>(join(root, "package.json"));
    const packaged = await readJson<PackageJson>(join(pkg, "package.json"));

    expect(packaged.type).toBe("module");
    expect(packaged.main).toBe(app.main);
    expect(packaged.dependencies).toEqual(app.dependencies);
    expect(packaged.scripts).toBeUndefined();
    expect(packaged.devDependencies).toBeUndefined();
  });

  it("When the app is packaged, then every entry module is there and every module under dist loads with the packaged dependencies alone", async () => {
    const entries = (await readdir(join(root, "functions")))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.replace(/\.ts$/, ".js"));
    const packaged = (await readdir(join(pkg, "dist", "functions"))).filter((file) =>
      file.endsWith(".js"),
    );
    const loadAll = [
      'import { readdirSync } from "node:fs";',
      'import { pathToFileURL } from "node:url";',
      'const files = readdirSync("dist", { recursive: true }).filter((f) => f.endsWith(".js"));',
      "for (const file of files) await import(pathToFileURL(`dist/${file}`).href);",
      "console.log(`loaded ${files.length}`);",
    ].join("\n");

    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", loadAll], {
      cwd: pkg,
      timeout: 30_000,
    });

    expect(packaged.sort()).toEqual(entries.sort());
    expect(stdout).toMatch(/^loaded [1-9]\d*$/m);
  });

  it("When the app is packaged, then it holds no TypeScript source, test or local settings", async () => {
    const files = await appFiles(pkg);

    expect(files.filter((file) => file.endsWith(".ts"))).toEqual([]);
    expect(files.filter((file) => /(^|\/)(test|dev|emulator|bench)(\/|$)/.test(file))).toEqual([]);
    expect(files.filter((file) => file.includes("local.settings"))).toEqual([]);
  });
});
