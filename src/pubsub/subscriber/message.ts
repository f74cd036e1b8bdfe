/**
 * A message the subscriber holds: its content, and `ack()` / `nack()`, which hand it back to the
 * subscriber once (a second call does nothing) and resolve with the result: sent, or on an
 * exactly-once subscription Pub/Sub's answer. One object per message, methods shared: no
 * closure per message.
 */
import type { AckResult } from "./ack_result.ts";
import type { ReceivedProto } from "./api.ts";

/** Who a message goes back to when it is acked or nacked. */
export interface LeaseOwner {
  /** Acks or nacks `message`; `done` hears the result. */
  settle(message: ReceivedMessage, ack: boolean, done: (result: AckResult) => void): void;
  /** The message started or stopped waiting for an earlier one of its key. */
  waiting(message: ReceivedMessage, waiting: boolean): void;
}

/** Why the subscriber gives a message back on its own (its handler's outcome never came). */
export const GIVE_UP_REASONS = ["max-lease", "shutting-down"] as const;
/** One of {@linkcode GIVE_UP_REASONS}. */
export type GiveUpReason = typeof GIVE_UP_REASONS[number];

const SETTLED: AckResult = Object.freeze({
  ok: false,
  reason: "other",
  detail: "it was acked or nacked already",
});

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const encoder = new TextEncoder();

/** A message delivered by StreamingPull and held (leased) until it is acked or nacked. */
export class ReceivedMessage {
  readonly ackId: string;
  /** The Pub/Sub message ID. */
  readonly id: string;
  /** The message data, exactly as published. */
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on the first delivery; 0 when the subscription does not count attempts. */
  readonly deliveryAttempt: number;
  /** The message's ordering key ("" when none). */
  readonly orderingKey: string;
  /** The stream that delivered it. */
  readonly stream: number;
  /** When it arrived (`performance.now()`). */
  readonly receivedAt: number;
  /** Until when Pub/Sub holds it for us, as last asked (`performance.now()` time). */
  leasedUntil: number;
  /** Pub/Sub refused to extend its lease (exactly-once): it is no longer extended. */
  leaseLost = false;
  /** Delivered by an exactly-once subscription: its ack's result is Pub/Sub's answer. */
  readonly exactlyOnce: boolean;
  /** Why the subscriber gave it back on its own, if it did (then it is settled). */
  givenUp: GiveUpReason | undefined;
  #settled = false;
  #waiting = false;
  readonly #publishMs: number;
  readonly #owner: LeaseOwner;

  constructor(
    proto: ReceivedProto,
    stream: number,
    now: number,
    owner: LeaseOwner,
    exactlyOnce = false,
  ) {
    const m = proto.message ?? {};
    this.ackId = proto.ackId ?? "";
    this.id = m.messageId ?? "";
    const data = m.data ?? new Uint8Array();
    this.data = typeof data === "string" ? encoder.encode(data) : data;
    this.attributes = m.attributes ?? EMPTY;
    this.deliveryAttempt = proto.deliveryAttempt ?? 0;
    this.orderingKey = m.orderingKey ?? "";
    this.stream = stream;
    this.receivedAt = now;
    this.leasedUntil = now;
    this.exactlyOnce = exactlyOnce;
    this.givenUp = undefined;
    const seconds = Number(m.publishTime?.seconds ?? 0);
    this.#publishMs = seconds * 1000 + Math.floor((m.publishTime?.nanos ?? 0) / 1e6);
    this.#owner = owner;
  }

  /** The Pub/Sub message ID (the same as {@linkcode id}, under the name handlers know). */
  get messageId(): string {
    return this.id;
  }

  /** When Pub/Sub accepted the message (made on demand: most messages never need it). */
  get publishTime(): Date {
    return new Date(this.#publishMs);
  }

  /** Publish time in epoch milliseconds. */
  get publishMs(): number {
    return this.#publishMs;
  }

  /** Whether it was acked or nacked already. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Whether it waits for an earlier message of its key (see {@linkcode ReceivedMessage.wait}). */
  get waiting(): boolean {
    return this.#waiting;
  }

  /**
   * Marks the message as waiting for an earlier one of its key (true) or no longer (false): while
   * it waits it is held beyond the lease window, within the subscriber's waiting allowance, so a
   * few busy keys cannot fill the window and starve the pool of other keys. Its lease is still
   * extended. Does nothing once settled.
   */
  wait(waiting: boolean): void {
    if (this.#settled || waiting === this.#waiting) return;
    this.#waiting = waiting;
    this.#owner.waiting(this, waiting);
  }

  /**
   * Done: Pub/Sub will not deliver it again (batched with other acks). Resolves once the ack
   * was sent or, on an exactly-once subscription, when Pub/Sub answered; never rejects.
   */
  ack(): Promise<AckResult> {
    return this.#end(true);
  }

  /** Not done: Pub/Sub delivers it again (with the subscription's backoff). */
  nack(): Promise<AckResult> {
    return this.#end(false);
  }

  #end(ack: boolean): Promise<AckResult> {
    if (this.#settled) return Promise.resolve(SETTLED);
    this.#settled = true;
    return new Promise((resolve) => this.#owner.settle(this, ack, resolve));
  }
}
