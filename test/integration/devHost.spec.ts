import { request } from "node:http";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { CoreRegistry } from "../../dev/coreApiShim.js";
import { startFunctionsHost } from "../../dev/functionsHost.js";
import { LocalHttpRequest } from "../../dev/localHttpRequest.js";
import { ensurePortFree } from "../../dev/portCheck.js";
import { readRoutePrefix } from "../../dev/routePrefix.js";
import { toRouteTable } from "../../dev/routeTable.js";

const registration = (
  name: string,
  trigger: Record<string, unknown>,
): CoreRegistry["functions"][number] => ({
  metadata: { name, bindings: { trigger: { direction: "in", ...trigger } } },
  handler: () => ({ status: 204 }),
});

describe("the local host's building blocks", () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it("When routes carry parameters, then required and optional ones match as the Functions host matches them", () => {
    const { routes, timers } = toRouteTable({
      functions: [
        registration("events", {
          type: "httpTrigger",
          route: "events/{event}",
          methods: ["options", "post"],
        }),
        registration("items", { type: "httpTrigger", route: "items/{id?}" }),
        registration("tick", { type: "timerTrigger", schedule: "0 */5 * * * *" }),
      ],
      hooks: [],
    });
    const [events, items] = routes;
    expect(events?.methods).toEqual(["OPTIONS", "POST"]);
    expect(events?.pattern.exec("/api/events/connect")?.groups).toEqual({ event: "connect" });
    expect(events?.pattern.test("/api/events")).toBe(false);
    expect(events?.pattern.test("/api/events/a/b")).toBe(false);
    expect(items?.methods).toEqual(["GET", "POST"]);
    expect(items?.pattern.test("/api/items")).toBe(true);
    expect(items?.pattern.exec("/API/items/7/")?.groups).toEqual({ id: "7" });
    expect(timers).toEqual([expect.objectContaining({ name: "tick", schedule: "0 */5 * * * *" })]);
  });

  it("When a route ends in a catch-all parameter, then it matches the rest of the path, slashes and all", () => {
    const { routes } = toRouteTable({
      functions: [registration("admin", { type: "httpTrigger", route: "admin/{*path}" })],
      hooks: [],
    });
    const [admin] = routes;
    expect(admin?.pattern.exec("/api/admin/groups/a%2Fb/send")?.groups).toEqual({
      path: "groups/a%2Fb/send",
    });
    expect(admin?.pattern.test("/api/admin")).toBe(true);
    expect(admin?.pattern.test("/api/administrator")).toBe(false);
  });

  it("When host.json sets the route prefix, then routes use it", async () => {
    expect(await readRoutePrefix(process.cwd())).toBe("api");
    expect(await readRoutePrefix("/nonexistent-folder")).toBe("api");
    const { routes } = toRouteTable(
      { functions: [registration("x", { type: "httpTrigger", route: "x" })], hooks: [] },
      "",
    );
    expect(routes[0]?.pattern.test("/x")).toBe(true);
  });

  it("When a timer is registered, then the host runs it on its schedule with a Timer and a context", async () => {
    const runs: { isPastDue: boolean; functionName: string }[] = [];
    const host = await startFunctionsHost({
      port: 0,
      routes: [],
      log: () => undefined,
      timers: [
        {
          name: "tick",
          schedule: "* * * * * *",
          handler: (timer, context) => {
            runs.push({ isPastDue: timer.isPastDue, functionName: context.functionName });
          },
        },
      ],
    });
    stops.push(async () => await host.close());
    await expect.poll(() => runs.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(runs[0]).toEqual({ isPastDue: false, functionName: "tick" });
  });

  it("When a request names a host other than this machine, then the host refuses it with 421 before any function runs", async () => {
    let called = 0;
    const { routes } = toRouteTable({
      functions: [
        {
          ...registration("ping", { type: "httpTrigger", route: "ping", methods: ["get"] }),
          handler: () => {
            called++;
            return { status: 204 };
          },
        },
      ],
      hooks: [],
    });
    const host = await startFunctionsHost({ port: 0, routes, log: () => undefined });
    stops.push(async () => await host.close());
    const status = async (hostHeader: string) =>
      await new Promise<number | undefined>((resolve, reject) => {
        const req = request(
          { host: "127.0.0.1", port: host.port, path: "/api/ping", headers: { host: hostHeader } },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on("error", reject);
        req.end();
      });
    expect(await status("rebound.example.net")).toBe(421);
    expect(await status(`127.0.0.1.nip.io:${host.port}`)).toBe(421);
    expect(called).toBe(0);
    expect(await status(`localhost:${host.port}`)).toBe(204);
    expect(await status(`127.0.0.1:${host.port}`)).toBe(204);
    expect(called).toBe(2);
  });

  it("When a port is taken, then the message names the port and what needs it", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    stops.push(async () => await new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    await expect(ensurePortFree(port, "the emulator")).rejects.toThrow(
      new RegExp(`Port ${port} is already in use, and the emulator needs it`),
    );
  });

  it("When a handler only looks at the body stream, then it can still read the body", async () => {
    const request = new LocalHttpRequest(
      "POST",
      new URL("http://localhost/api/x"),
      new Headers(),
      {},
      Buffer.from("hi"),
    );
    expect(request.body).not.toBeNull();
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe("hi");
  });
});
