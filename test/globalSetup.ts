import type { TestProject } from "vitest/node";
import { startAzurite } from "../dev/startAzurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    tableConnectionString: string;
  }
}

/** Starts Azurite once for the whole run and stops it afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("tableConnectionString", azurite.connectionString);
  return async () => await azurite.stop();
}
