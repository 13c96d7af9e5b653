import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { trimPipeline } from "../../shared/sdkPipeline.js";

const connectionString =
  "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

const policiesAfterTrim = (env: NodeJS.ProcessEnv) => {
  const client = TableClient.fromConnectionString(connectionString, "Rows", {
    allowInsecureConnection: true,
  });
  trimPipeline(client.pipeline, env);
  return client.pipeline.getOrderedPolicies().map((policy) => policy.name);
};

describe("trimPipeline", () => {
  it("When the SDK's logging is off, then only the policies that do nothing here are gone", () => {
    const names = policiesAfterTrim({});
    for (const gone of [
      "tracingPolicy",
      "decompressResponsePolicy",
      "wrapAbortSignalLikePolicy",
      "formDataPolicy",
      "multipartPolicy",
      "logPolicy",
    ]) {
      expect(names).not.toContain(gone);
    }
    for (const kept of [
      "defaultRetryPolicy",
      "redirectPolicy",
      "proxyPolicy",
      "userAgentPolicy",
      "setClientRequestIdPolicy",
      "tablesNamedKeyCredentialPolicy",
      "serializationPolicy",
      "deserializationPolicy",
    ]) {
      expect(names).toContain(kept);
    }
  });

  it.each([{ AZURE_LOG_LEVEL: "info" }, { DEBUG: "azure*" }])(
    "When the SDK's logging is on (%o), then the log policy stays",
    (env) => {
      expect(policiesAfterTrim(env)).toContain("logPolicy");
    },
  );
});
