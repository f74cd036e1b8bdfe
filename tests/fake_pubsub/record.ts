/**
 * What the fake server saw and did, so a test asserts what the server recorded rather than what
 * the client logged: every call (method, ack IDs, bytes, the status answered, per-ID failures)
 * and every change to a delivery (delivered, extended, acked, nacked, expired, refused, …).
 */

/** One call, or one request on a StreamingPull stream. */
export interface CallRecord {
  /** Server clock, ms since the server started. */
  at: number;
  /** The RPC (`Acknowledge`, `ModifyAckDeadline`, `Pull`, `Publish`, …), or `StreamingPull`
   * for a stream's first request and `StreamingPull.write` for its later ones. */
  method: string;
  /** The stream, for StreamingPull. */
  stream?: number;
  /** The serialized request's size, in bytes. */
  bytes: number;
  /** Ack IDs acked by the request. */
  ackIds: number;
  /** Ack IDs whose deadline the request changes. */
  modacks: number;
  /** The status answered (0: OK); for a stream's write, 0 unless it aborted the stream. */
  code: number;
  /** Ack IDs the request failed, with the failure (exactly-once ErrorInfo values). */
  failed?: Record<string, string>;
  /** Written to a stream that was ending: never read, nothing applied. */
  dropped?: true;
}

/** What happened to a delivery. */
export const EVENT_KINDS = [
  "delivered",
  "extended",
  "acked",
  "nacked",
  "expired",
  /** An ack or deadline change refused (exactly-once: the ack ID expired or was superseded). */
  "refused",
  /** An ack or deadline change that had no effect (at-least-once: the ack ID is not current). */
  "ignored",
  /** A transient failure injected: not applied. */
  "failed",
  "dead-lettered",
] as const;
/** One of {@linkcode EVENT_KINDS}. */
export type EventKind = typeof EVENT_KINDS[number];

/** One change to a delivery. */
export interface DeliveryEvent {
  at: number;
  kind: EventKind;
  subscription: string;
  messageId: string;
  ackId: string;
  /** The delivery's attempt (1 on the first). */
  attempt: number;
  /** The stream it was delivered on; absent for Pull. */
  stream?: number;
  /** For extensions: the new deadline in seconds. */
  seconds?: number;
  /** How the ack or deadline change came: on a stream or by RPC. */
  via?: "stream" | "rpc";
}

/** The fake server's record. */
export class ServerRecord {
  readonly calls: CallRecord[] = [];
  readonly events: DeliveryEvent[] = [];
  readonly #now: () => number;

  /** A record whose times come from `now` (the server clock). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records a call (its time set now). */
  call(call: Omit<CallRecord, "at">): CallRecord {
    const record = { at: this.#now(), ...call };
    this.calls.push(record);
    return record;
  }

  /** Records an event (its time set now). */
  note(event: DeliveryEvent): void {
    event.at = this.#now();
    this.events.push(event);
  }

  /** Calls of `method` (every call when omitted). */
  requests(method?: string): CallRecord[] {
    return method === undefined ? this.calls : this.calls.filter((c) => c.method === method);
  }

  /** Events of `kind`, optionally of one message. */
  of(kind: EventKind, messageId?: string): DeliveryEvent[] {
    return this.events.filter((e) =>
      e.kind === kind && (messageId === undefined || e.messageId === messageId)
    );
  }

  /** Per message ID, how many times `kind` happened to it. */
  countBy(kind: EventKind): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of this.events) {
      if (e.kind === kind) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
    }
    return counts;
  }

  /** The ack IDs whose ack the server applied. */
  ackedIds(): Set<string> {
    return new Set(this.of("acked").map((e) => e.ackId));
  }
}
