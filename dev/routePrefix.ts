import { readFile } from "node:fs/promises";
import path from "node:path";

/** The HTTP route prefix host.json sets (`extensions.http.routePrefix`), `api` by default, as in the Functions host. */
export async function readRoutePrefix(root: string): Promise<string> {
  try {
    const host = JSON.parse(await readFile(path.join(root, "host.json"), "utf8")) as {
      extensions?: { http?: { routePrefix?: unknown } };
    };
    const prefix = host.extensions?.http?.routePrefix;
    return typeof prefix === "string" ? prefix.replace(/^\/+|\/+$/g, "") : "api";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "api";
    throw error;
  }
}
