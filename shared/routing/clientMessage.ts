import * as z from "zod";
import { isDotSegment } from "../service/dotSegment.js";
import type { AckErrorCode, MessageId } from "./messageTypes.js";

/** Deepest nesting accepted in a message; deeper data could exhaust the stack when re-serialised. */
export const MAX_DEPTH = 32;

/** Lone surrogates cannot be encoded in a URL or a key; such names are refused up front. */
const name = z
  .string()
  .min(1)
  .max(1024)
  .refine((value) => value.isWellFormed(), "must be well-formed Unicode")
  .refine((value) => !isDotSegment(value), "must not be '.' or '..'");
const id = z.union([z.string().max(128), z.number().int()]).optional();
/** Group names as the service allows them: 1-1024 characters, not only white space. */
const group = name.refine((value) => value.trim() !== "", "must not be only white space");
const user = name;

const join = z.object({ type: z.literal("join"), group, id });
const leave = z.object({ type: z.literal("leave"), group, id });
const members = z.object({ type: z.literal("members"), group, id });
const send = z
  .object({
    type: z.literal("send"),
    group: group.optional(),
    user: user.optional(),
    data: z.unknown(),
    id,
  })
  .refine((message) => (message.group === undefined) !== (message.user === undefined), {
    error: "send to a 'group' or a 'user', exactly one",
  });

const schemas = { join, leave, members, send } as const;

export type ClientMessage =
  z.infer<typeof join> | z.infer<typeof leave> | z.infer<typeof members> | z.infer<typeof send>;

export type ParsedMessage =
  | { readonly ok: true; readonly message: ClientMessage }
  | {
      readonly ok: false;
      readonly id?: MessageId;
      readonly code: AckErrorCode;
      readonly reason: string;
    };

/** Validates one message of the JSON protocol; every failure names a code and a reason. */
export function parseClientMessage(value: unknown): ParsedMessage {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, code: "bad_message", reason: "a message is a JSON object" };
  }
  const record = value as Record<string, unknown>;
  const messageId = id.safeParse(record.id).success
    ? (record.id as MessageId | undefined)
    : undefined;
  const fail = (code: AckErrorCode, reason: string): ParsedMessage => ({
    ok: false,
    code,
    reason,
    ...(messageId === undefined ? {} : { id: messageId }),
  });
  if (typeof record.type !== "string") return fail("bad_message", "'type' must be a string");
  if (!Object.hasOwn(schemas, record.type)) {
    return fail("unknown_type", `unknown message type '${record.type.slice(0, 64)}'`);
  }
  if ("from" in record) return fail("forbidden", "'from' is set by the server, not the sender");
  if (depthExceeds(record, MAX_DEPTH)) {
    return fail("bad_message", `data is nested more than ${MAX_DEPTH} levels deep`);
  }
  if (record.type === "send" && !("data" in record))
    return fail("bad_message", "'data' is missing");
  const result = schemas[record.type as keyof typeof schemas].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `'${issue.path.join(".")}' ` : "";
    return fail("bad_message", `${where}${issue?.message ?? "is invalid"}`.trim());
  }
  return { ok: true, message: result.data };
}

/** True when objects and arrays nest deeper than `limit` (checked without recursion). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, depth] = item;
    if (current === null || typeof current !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
