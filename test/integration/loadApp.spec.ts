import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadApp } from "../../dev/loadApp.js";
import { setRuntime } from "../../shared/runtime.js";

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../functions");

describe("loading the app as the worker does", () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
    setRuntime(undefined);
  });

  it("When settings are missing, then the start hook refuses to start", async () => {
    process.env = {};
    setRuntime(undefined);
    const logs: string[] = [];
    const importEntries = async () => {
      for (const file of (await readdir(functionsDir)).filter((name) => name.endsWith(".ts"))) {
        await import(pathToFileURL(path.join(functionsDir, file)).href);
      }
    };
    await expect(loadApp(importEntries, (_level, message) => logs.push(message))).rejects.toThrow(
      /cannot start[\s\S]*AZURE_WEBPUBSUB_HUB is missing/,
    );
  });
});
