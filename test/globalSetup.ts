import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startAzurite } from "../dev/startAzurite.js";
import { createLoopbackCertificate } from "./fixtures/loopbackCertificate.js";

declare module "vitest" {
  export interface ProvidedContext {
    tableConnectionString: string;
    /** PEM files of a loopback certificate every test process trusts (`NODE_EXTRA_CA_CERTS`). */
    tls: { certFile: string; keyFile: string };
  }
}

/**
 * Starts Azurite once for the whole run and stops it afterwards, and makes a loopback TLS
 * certificate that the test processes, started after this, trust.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tls = await createLoopbackCertificate();
  process.env.NODE_EXTRA_CA_CERTS = tls.certFile;
  project.provide("tls", { certFile: tls.certFile, keyFile: tls.keyFile });
  const azurite = await startAzurite();
  project.provide("tableConnectionString", azurite.connectionString);
  return async () => {
    await azurite.stop();
    await rm(path.dirname(tls.certFile), { recursive: true, force: true });
  };
}
