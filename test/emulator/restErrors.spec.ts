import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness } from "./support/harness.js";
import { sdkFailure as failure, type SdkResponse } from "./support/sdkError.js";

/**
 * Error answers as Azure/azure-sdk-for-js records them from the real service
 * (sdk/web-pubsub/web-pubsub/recordings/node/...).
 */
describe("emulator REST: error answers as the service records them", () => {
  const harness = new Harness();
  beforeAll(async () => await harness.start());
  afterAll(async () => await harness.stop());

  const validationProblem = (filter: string, target: string, reason: string) => {
    const message = `Invalid syntax for '${filter}': ${reason}. (Parameter 'filter')`;
    return {
      code: "Error.BadRequest",
      message,
      target,
      errors: { [target]: [message] },
      type: null,
      title: "One or more validation errors occurred.",
      status: 400,
      detail: null,
      instance: null,
      extensions: {},
    };
  };

  it("When a send's filter is malformed, then the answer is the service's problem+json and the SDK's RestError carries it in its message", async () => {
    const client = await harness.connect({ userId: "filter-victim" });
    const error = await failure(
      harness.service.sendToAll("hello", { contentType: "text/plain", filter: "invalid filter" }),
    );
    expect(error.statusCode).toBe(400);
    expect(error.response?.headers.get("content-type")).toBe(
      "application/problem+json; charset=utf-8",
    );
    expect(error.response?.headers.get("x-ms-error-code")).toBe("Error.BadRequest");
    // The SDK parses only application/json error bodies: with problem+json the code stays in the
    // body (its own tests read JSON.parse(error.message)) and in x-ms-error-code.
    expect(error.code).toBeUndefined();
    expect(JSON.parse(error.message)).toEqual(
      validationProblem("invalid filter", "filter", "unknown field 'invalid'"),
    );
    await harness.service.sendToAll("after", { contentType: "text/plain" });
    const message = await client.socket.nextMessage((m) => m.type === "message");
    expect(message.data).toBe("after");
  });

  it("When a filter in the body of addConnectionsToGroups is malformed, then the problem names Filter as the target and nobody joins", async () => {
    const client = await harness.connect({ userId: "bulk" });
    const error = await failure(
      harness.service.addConnectionsToGroups(["bulk-group"], "userId eq"),
    );
    expect(error.statusCode).toBe(400);
    expect(error.response?.headers.get("content-type")).toBe(
      "application/problem+json; charset=utf-8",
    );
    expect(JSON.parse(error.message)).toEqual(
      validationProblem("userId eq", "Filter", "expected an operand"),
    );
    expect(await harness.service.groupExists("bulk-group")).toBe(false);
    expect(await harness.service.connectionExists(client.connectionId)).toBe(true);
  });

  it("When an unknown connection is added to a group, then the SDK gets 404 with code Error.Connection.NotExisted", async () => {
    const error = await failure(harness.service.group("lonely").addConnection("xxxx"));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("Error.Connection.NotExisted");
    expect(error.message).toBe("Connection `xxxx` is not found.");
    expect(error.response?.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(error.response?.headers.get("x-ms-error-code")).toBe("Error.Connection.NotExisted");
    expect(JSON.parse(error.response?.bodyAsText ?? "")).toEqual({
      code: "Error.Connection.NotExisted",
      message: "Connection `xxxx` is not found.",
      target: "Connection",
      details: null,
      innererror: null,
    });
    expect(await harness.service.groupExists("lonely")).toBe(false);
  });

  it("When a permission is granted to an unknown connection, then the SDK gets 404 with code Info.Connection.NotExisted", async () => {
    const error = await failure(
      harness.service.grantPermission("xxx", "joinLeaveGroup", { targetName: "x" }),
    );
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("Info.Connection.NotExisted");
    expect(JSON.parse(error.response?.bodyAsText ?? "")).toMatchObject({
      message: "Connection `xxx` is not found.",
      target: "Connection",
    });
  });

  it("When a group name is only whitespace, then the SDK gets 400 Error.BadRequest with the service's message", async () => {
    const error = await failure(
      harness.service.group("   ").sendToAll("x", { contentType: "text/plain" }),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("Error.BadRequest");
    expect(error.message).toBe(
      "Invalid group name. Valid group name should be in between 1 and 1024 characters long.",
    );
    expect(JSON.parse(error.response?.bodyAsText ?? "")).toMatchObject({ target: "Request" });
  });

  it("When existence checks miss, then they answer false and x-ms-error-code names what is missing", async () => {
    const codes: (string | undefined)[] = [];
    const onResponse = (response: SdkResponse) =>
      codes.push(response.headers.get("x-ms-error-code"));
    expect(await harness.service.connectionExists("xxxx", { onResponse })).toBe(false);
    expect(await harness.service.groupExists("foo", { onResponse })).toBe(false);
    expect(await harness.service.userExists("foo", { onResponse })).toBe(false);
    expect(
      await harness.service.hasPermission("xxxx", "joinLeaveGroup", {
        targetName: "x",
        onResponse,
      }),
    ).toBe(false);
    expect(codes).toEqual([
      "Warning.Connection.NotExisted",
      "Warning.Group.NotExisted",
      "Warning.User.NotExisted",
      "Info.Connection.NotExisted",
    ]);
  });

  it("When an unknown connection is sent to, closed, or removed from groups, then the calls succeed as the service's do and nothing else changes", async () => {
    const bystander = await harness.connect({ userId: "bystander", groups: ["kept"] });
    const statuses: number[] = [];
    const onResponse = (response: SdkResponse) => statuses.push(response.status);
    await harness.service.sendToConnection("xxxx", "hello", {
      contentType: "text/plain",
      onResponse,
    });
    await harness.service.closeConnection("xxxx", { onResponse });
    await harness.service.group("kept").removeConnection("xxxx", { onResponse });
    await harness.service.removeConnectionFromAllGroups("xxxx", { onResponse });
    expect(statuses).toEqual([202, 204, 204, 204]);
    expect(await harness.service.groupExists("kept")).toBe(true);
    expect(await harness.service.connectionExists(bystander.connectionId)).toBe(true);
  });
});
