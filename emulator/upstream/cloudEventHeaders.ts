import type { EventSubject } from "./eventSubject.js";
import { signature } from "./signature.js";

export interface CloudEventInit {
  subject: EventSubject;
  /** `sys` for connect/connected/disconnected, `user` for messages and custom events. */
  category: "sys" | "user";
  eventName: string;
  contentType: string;
  /** The access keys, primary first; each signs the event. None: no `ce-signature`. */
  accessKeys: readonly string[];
  /** `WebHook-Request-Origin`: the emulator's host. */
  origin: string;
  /** An id taken from the subject earlier (an event held back); default: the next one. */
  eventId?: string;
}

/** The CloudEvents binary-mode headers of one upstream request (as the service's CloudEvents reference lists them). */
export function cloudEventHeaders(init: CloudEventInit): Record<string, string> {
  const { subject } = init;
  const headers: Record<string, string> = {
    "ce-specversion": "1.0",
    "ce-type": `azure.webpubsub.${init.category}.${init.eventName}`,
    "ce-source": `/hubs/${subject.hub}/client/${subject.id}`,
    "ce-id": init.eventId ?? subject.takeEventId(),
    "ce-time": new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    "ce-awpsversion": "1.0",
    // The service lower-cases the hub here whatever case the client or the settings used
    // (Azure/azure-sdk-for-js#22134); ce-source keeps it as the client wrote it.
    "ce-hub": subject.hub.toLowerCase(),
    "ce-connectionId": subject.id,
    "ce-eventName": init.eventName,
    "WebHook-Request-Origin": init.origin,
    "Content-Type": init.contentType,
  };
  if (init.accessKeys.length > 0) headers["ce-signature"] = signature(init.accessKeys, subject.id);
  if (subject.userId !== undefined && subject.userId !== "") headers["ce-userId"] = subject.userId;
  if (subject.subprotocol !== undefined) headers["ce-subprotocol"] = subject.subprotocol;
  if (subject.connectionState !== undefined && subject.connectionState !== "") {
    headers["ce-connectionState"] = subject.connectionState;
  }
  return headers;
}
