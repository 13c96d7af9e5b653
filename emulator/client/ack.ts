export interface Ack {
  type: "ack";
  ackId: number;
  success: boolean;
  error?: { name: string; message: string };
}

export type AckErrorName =
  "Forbidden" | "Duplicate" | "InternalServerError" | "BadRequest" | "NotFound" | "Timeout";

export function ackOk(ackId = 0): Ack {
  return { type: "ack", ackId, success: true };
}

export function ackError(ackId: number, name: AckErrorName, message: string): Ack {
  return { type: "ack", ackId, success: false, error: { name, message } };
}
