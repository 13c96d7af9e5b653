import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root, from a module compiled to dist/dev/. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The entry modules the Functions host would load: those package.json `main` names (`dist/functions/*.js`). */
export async function listBuiltFunctions(root = repositoryRoot): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
    main: string;
  };
  const match = /^(.*)\/\*\.js$/.exec(pkg.main);
  if (!match?.[1])
    throw new Error(`package.json main must look like 'dir/*.js', not '${pkg.main}'`);
  const dir = path.join(root, match[1]);
  const files = (await readdir(dir)).filter((name) => name.endsWith(".js")).sort();
  return files.map((file) => pathToFileURL(path.join(dir, file)).href);
}

/** Imports the entry modules in name order, as the worker loads them. */
export async function importBuiltFunctions(root = repositoryRoot): Promise<void> {
  for (const entry of await listBuiltFunctions(root)) await import(entry);
}
