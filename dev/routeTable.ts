import type { HttpHandler, InvocationContext, Timer } from "@azure/functions";
import type { CoreProgrammingModel, CoreRegistration, CoreRegistry } from "./coreApiShim.js";

/**
 * The HTTP proxy `@azure/functions` listens on when the app asked for HTTP streams
 * (`app.setup({ enableHttpStream: true })`), and the programming model that invokes through it.
 */
export interface WorkerHttpProxy {
  readonly url: string;
  readonly model: CoreProgrammingModel;
}

export interface HttpRoute {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly handler: HttpHandler;
  /** The function's bindings as registered; needed to invoke it through the worker's proxy. */
  readonly bindings?: CoreRegistration["metadata"]["bindings"];
  /** Set when the app asked for HTTP streams: requests are forwarded to it, never buffered. */
  readonly proxy?: WorkerHttpProxy;
}

export interface TimerJob {
  readonly name: string;
  readonly schedule: string;
  readonly handler: (timer: Timer, context: InvocationContext) => unknown;
}

/**
 * Turns captured registrations into routes (under the `api/` prefix, as host.json sets it) and
 * timer jobs. `{name}` and `{name?}` route parameters match one path segment, `{*name}` the rest
 * of the path. With `proxy`, HTTP routes are served through the worker's HTTP proxy.
 */
export function toRouteTable(
  registry: CoreRegistry,
  routePrefix = "api",
  proxy?: WorkerHttpProxy,
): { routes: HttpRoute[]; timers: TimerJob[] } {
  const routes: HttpRoute[] = [];
  const timers: TimerJob[] = [];
  for (const { metadata, handler } of registry.functions) {
    const trigger = Object.values(metadata.bindings).find(
      (binding) => binding.direction === "in" && String(binding.type).endsWith("Trigger"),
    );
    if (trigger?.type === "httpTrigger") {
      const route = typeof trigger.route === "string" ? trigger.route : metadata.name;
      const methods = Array.isArray(trigger.methods)
        ? trigger.methods.map((m) => String(m).toUpperCase())
        : ["GET", "POST"];
      routes.push({
        name: metadata.name,
        route: [routePrefix, route].filter((part) => part !== "").join("/"),
        methods,
        pattern: toPattern([routePrefix, route].filter((part) => part !== "").join("/")),
        handler: handler as HttpHandler,
        bindings: metadata.bindings,
        ...(proxy === undefined ? {} : { proxy }),
      });
    } else if (trigger?.type === "timerTrigger" && typeof trigger.schedule === "string") {
      timers.push({
        name: metadata.name,
        schedule: trigger.schedule,
        handler: handler,
      });
    }
  }
  return { routes, timers };
}

function toPattern(route: string): RegExp {
  const source = route
    .split("/")
    .map((segment) => {
      const param = /^\{(\*)?(\w+)(\?)?(?::[^}]*)?\}$/.exec(segment);
      if (!param) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
      // `{*name}`: the rest of the path, slashes included (the last segment of a route only).
      if (param[1] === "*") return `(?:/(?<${param[2]}>.*))?`;
      return param[3] ? `(?:/(?<${param[2]}>[^/]+))?` : `/(?<${param[2]}>[^/]+)`;
    })
    .join("");
  return new RegExp(`^${source}/?$`, "i");
}
