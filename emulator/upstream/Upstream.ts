import type { Faults } from "../faults/Faults.js";
import type { EventHandlerSetting, HubSetting } from "../types.js";
import { toHttpBody, type Payload } from "../core/payload.js";
import { AbuseProtection } from "./AbuseProtection.js";
import { handlerAuthorization } from "./handlerAuthorization.js";
import type { ManagedIdentityTokens } from "./ManagedIdentityTokens.js";
import { cloudEventHeaders } from "./cloudEventHeaders.js";
import type { EventSubject } from "./eventSubject.js";
import { matchHandler, resolveUrl, type EventRef } from "./matchHandler.js";
import { postWithRetry, request, type UpstreamResponse } from "./postWithRetry.js";

export interface UpstreamOptions {
  /** The access keys, primary first; every event is signed with each. None: no `ce-signature`. */
  accessKeys: readonly string[];
  /** Tokens for handlers whose `auth` is `ManagedIdentity`. */
  managedIdentity: ManagedIdentityTokens;
  /** The emulator's hostname (sent as WebHook-Request-Origin) and host:port. */
  origin: { hostname: string; host: string };
  hubs: Record<string, HubSetting>;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  log: (line: string) => void;
  /** Test-only misbehaviour: duplicated, reordered or lost events. */
  faults: Faults;
}

const JSON_TYPE = "application/json";

interface HeldEvent {
  body: object;
  eventId: string;
}

/** Sends CloudEvents to the hubs' event handlers (binary mode, as the service sends them). */
export class Upstream {
  private readonly settings = new Map<string, EventHandlerSetting[]>();
  private readonly abort = new AbortController();
  private readonly protection: AbuseProtection;
  private readonly chains = new WeakMap<EventSubject, Promise<void>>();
  /** `connected` events held back by the reorderLifecycle fault, until `disconnected`. */
  private readonly heldConnected = new Map<EventSubject, HeldEvent>();

  constructor(private readonly options: UpstreamOptions) {
    for (const [hub, setting] of Object.entries(options.hubs)) this.setHub(hub, setting);
    this.protection = new AbuseProtection(options.origin, this.policy, options.log);
    options.faults.onChange(() => {
      if (options.faults.current.reorderLifecycle !== true) this.releaseHeld();
    });
  }

  private get policy() {
    const { retryDelaysMs, timeoutMs } = this.options;
    return { retryDelaysMs, timeoutMs, signal: this.abort.signal };
  }

  /** Throws when a handler asks for a managed identity token and the emulator has none. */
  setHub(hub: string, setting: HubSetting): void {
    for (const handler of setting.eventHandlers) {
      const auth = handler.auth;
      if (auth?.type === "ManagedIdentity" && !this.options.managedIdentity.available) {
        throw new Error(
          `Hub ${hub}: the handler ${handler.urlTemplate} authenticates with a managed identity, but the emulator has no managedIdentity option.`,
        );
      }
    }
    this.settings.set(hub.toLowerCase(), [...setting.eventHandlers]);
  }

  handles(hub: string, event: EventRef): boolean {
    return this.handlerFor(hub, event) !== undefined;
  }

  /** The blocking connect event; undefined when no handler subscribes to it. */
  async connect(subject: EventSubject, body: object): Promise<UpstreamResponse | undefined> {
    const event: EventRef = { kind: "system", name: "connect" };
    const raw = Buffer.from(JSON.stringify(body));
    return await this.invoke(subject, event, "sys", JSON_TYPE, raw, true);
  }

  /** A blocking user event; undefined when no handler subscribes to it. */
  async userEvent(
    subject: EventSubject,
    name: string,
    payload: Payload,
  ): Promise<UpstreamResponse | undefined> {
    const { contentType, body } = toHttpBody(payload);
    return await this.invoke(subject, { kind: "user", name }, "user", contentType, body, true);
  }

  /** connected/disconnected: fire and forget, delivered in order per connection. */
  notify(subject: EventSubject, name: "connected" | "disconnected", body: object): void {
    const faults = this.options.faults.current;
    if (name === "connected" && faults.reorderLifecycle === true) {
      if (!this.handles(subject.hub, { kind: "system", name })) return;
      // It keeps the ce-id it has now: the handler sees it later, with a lower id.
      this.heldConnected.set(subject, { body, eventId: subject.takeEventId() });
      return;
    }
    if (name === "connected") {
      this.enqueue(subject, name, body);
      return;
    }
    const held = this.heldConnected.get(subject);
    this.heldConnected.delete(subject);
    if (faults.dropDisconnected === true) {
      this.options.log(`fault: dropped the disconnected event of ${subject.id}`);
    } else {
      this.enqueue(subject, "disconnected", body);
    }
    if (held !== undefined) this.enqueue(subject, "connected", held.body, held.eventId);
  }

  private releaseHeld(): void {
    const held = [...this.heldConnected];
    this.heldConnected.clear();
    for (const [subject, event] of held) {
      this.enqueue(subject, "connected", event.body, event.eventId);
    }
  }

  private enqueue(
    subject: EventSubject,
    name: "connected" | "disconnected",
    body: object,
    eventId?: string,
  ): void {
    const event: EventRef = { kind: "system", name };
    if (!this.handles(subject.hub, event)) return;
    const raw = Buffer.from(JSON.stringify(body));
    const previous = this.chains.get(subject) ?? Promise.resolve();
    const next = previous.then(async () => {
      const response = await this.invoke(subject, event, "sys", JSON_TYPE, raw, false, eventId);
      if (response && (response.status < 200 || response.status >= 300)) {
        this.options.log(`${name} event for ${subject.id} failed: ${describe(response)}`);
      }
    });
    this.chains.set(subject, next);
  }

  /** Waits until the queued notifications of a connection are sent. */
  async drained(subject: EventSubject): Promise<void> {
    await this.chains.get(subject);
  }

  close(): void {
    this.heldConnected.clear();
    this.abort.abort();
  }

  private handlerFor(hub: string, event: EventRef): EventHandlerSetting | undefined {
    return matchHandler(this.settings.get(hub.toLowerCase()) ?? [], event);
  }

  private async invoke(
    subject: EventSubject,
    event: EventRef,
    category: "sys" | "user",
    contentType: string,
    body: Buffer,
    blocking: boolean,
    eventId?: string,
  ): Promise<UpstreamResponse | undefined> {
    const handler = this.handlerFor(subject.hub, event);
    if (!handler) return undefined;
    const authorization = await handlerAuthorization(handler, this.options.managedIdentity);
    if (!authorization.ok) {
      this.options.log(`${event.name} of ${subject.id} not sent: ${authorization.error}`);
      return {
        status: 0,
        headers: new Headers(),
        body: Buffer.alloc(0),
        error: authorization.error,
      };
    }
    const validationUrl = resolveUrl(handler.urlTemplate, subject.hub, "validate");
    if (!(await this.protection.isAllowed(validationUrl, authorization.headers))) {
      return {
        status: 0,
        headers: new Headers(),
        body: Buffer.alloc(0),
        error: "abuse protection",
      };
    }
    const { accessKeys, origin } = this.options;
    const headers = {
      ...cloudEventHeaders({
        subject,
        category,
        eventName: event.name,
        contentType,
        accessKeys,
        origin: origin.hostname,
        ...(eventId === undefined ? {} : { eventId }),
      }),
      ...authorization.headers,
    };
    const url = resolveUrl(handler.urlTemplate, subject.hub, event.name);
    const response = await postWithRetry(url, headers, body, this.policy);
    if (this.options.faults.duplicates(event.name)) {
      // The same request again (same ce-id), as a service retry; its answer is ignored.
      const again = async () => {
        const copy = await request(url, { method: "POST", headers, body }, this.policy);
        this.options.log(`fault: duplicated ${event.name} of ${subject.id}: ${describe(copy)}`);
      };
      if (blocking) setImmediate(() => void again());
      else await again();
    }
    const state = response.headers.get("ce-connectionState");
    if (blocking && response.status >= 200 && response.status < 300 && state !== null) {
      subject.connectionState = state;
    }
    return response;
  }
}

export function describe(response: UpstreamResponse): string {
  return response.error ?? `status ${response.status}`;
}
