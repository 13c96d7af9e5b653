/** The client's own correlation id, echoed in the ack. */
export type MessageId = string | number;

export type AckErrorCode =
  | "bad_message"
  | "unknown_type"
  | "forbidden"
  | "too_large"
  | "rate_limited"
  | "gone"
  /** A dependency failed or the event ran past its deadline: try again with the same id. */
  | "unavailable";

export type Ack =
  | {
      readonly type: "ack";
      readonly id?: MessageId;
      readonly ok: true;
      /** The server id of the message a `send` produced. */
      readonly messageId?: string;
      /**
       * For `members`: the user ids present in a group, or in a presence group each user with
       * its number of connections there.
       */
      readonly members?: readonly string[] | readonly PresentUser[];
      /** For `members`: true when the group holds more users than were listed. */
      readonly truncated?: boolean;
    }
  | {
      readonly type: "ack";
      readonly id?: MessageId;
      readonly ok: false;
      readonly error: {
        readonly code: AckErrorCode;
        readonly message: string;
        /** For `unavailable`: how long the dependency asked to wait, when it said. */
        readonly retryAfterMs?: number;
      };
    };

/** What recipients receive for every `send`. */
export interface Envelope {
  readonly type: "message";
  readonly id: string;
  readonly from: string;
  readonly group?: string;
  readonly user?: string;
  readonly data: unknown;
  /** `base64`: `data` is binary, as an admin sent it with `application/octet-stream`. */
  readonly encoding?: "base64";
  readonly at: string;
}

/** One user of a presence group, as `members` lists it. */
export interface PresentUser {
  readonly user: string;
  readonly connections: number;
}

/** What a presence group receives when a user's first connection joins or its last leaves. */
export interface PresenceNotice {
  readonly type: "presence";
  readonly group: string;
  readonly user: string;
  readonly state: "online" | "offline";
  readonly at: string;
}
