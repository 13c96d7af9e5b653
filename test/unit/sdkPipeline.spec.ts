import { createSecretKey } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Pipeline,
  trimPipeline,
  WEB_PUBSUB_KEY_POLICY,
  webPubSubKeyPolicy,
} from "../../shared/sdkPipeline.js";

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

type Policy = ReturnType<Pipeline["getOrderedPolicies"]>[number];
type Request = Parameters<Policy["sendRequest"]>[0];

/** The headers a policy sets on a request to `url`, and the request it passes on. */
async function headersSetBy(policy: Policy, url: string): Promise<Map<string, string>> {
  const headers = new Map<string, string>();
  const request = { url, headers } as unknown as Request;
  await policy.sendRequest(request, async (passed) => {
    expect(passed).toBe(request);
    return await Promise.resolve({ request, status: 202, headers: passed.headers });
  });
  return headers;
}

describe("webPubSubKeyPolicy", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("When a REST call is signed, then it carries the token the SDK's own access-key policy makes for it", async () => {
    const key = createSecretKey(Buffer.from("an-access-key-of-the-web-pubsub-service", "utf8"));
    const sdk = new WebPubSubServiceClient(
      "https://example.webpubsub.azure.com",
      { key } as never,
      "chat",
    );
    const sdkPolicy = (sdk as unknown as { client: { pipeline: Pipeline } }).client.pipeline
      .getOrderedPolicies()
      .find((policy) => policy.name === WEB_PUBSUB_KEY_POLICY);
    expect(sdkPolicy).toBeDefined();
    vi.useFakeTimers({ now: new Date("2026-03-01T12:34:56.789Z") });
    for (const url of [
      "https://example.webpubsub.azure.com/api/hubs/chat/groups/room/:send?api-version=2024-12-01",
      "https://example.webpubsub.azure.com/api/hubs/chat/users/%C3%A9l%C3%A8ve%2F1/:send?api-version=2024-12-01",
    ]) {
      const ours = await headersSetBy(webPubSubKeyPolicy(key), url);
      const theirs = await headersSetBy(sdkPolicy as Policy, url);
      expect(ours.get("Authorization")).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(ours).toEqual(theirs);
    }
  });
});
