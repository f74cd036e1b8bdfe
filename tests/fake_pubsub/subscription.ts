/**
 * One subscription of the fake, as the service documents it: each delivery gets a new ack ID and
 * a deadline (the stream's ack deadline at delivery, or the subscription's for Pull), moved by
 * each deadline change; a delivery whose deadline passes expires and the message is delivered
 * again with `deliveryAttempt` + 1, after the retry policy's backoff; after the dead-letter
 * policy's last attempt the message is forwarded instead. With exactly-once delivery an ack or
 * deadline change of an ack ID that expired or was superseded fails (`invalid`), an acked
 * message is never delivered again; without it such a change is accepted and does nothing. With
 * message ordering, a key's next message is delivered only once the one before it is acked.
 */
import type { Faults } from "./faults.ts";
import type { DeliveryEvent, EventKind, ServerRecord } from "./record.ts";

/** A published message. */
export interface FakeMessage {
  readonly id: string;
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey: string;
  /** Epoch ms. */
  readonly publishTime: number;
  /** Data, attributes and key, in bytes (what flow control counts). */
  readonly bytes: number;
}

/** A subscription's settings. */
export interface SubscriptionSettings {
  name: string;
  topic: string;
  ackDeadlineSeconds: number;
  exactlyOnce: boolean;
  ordering: boolean;
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  retry?: { minMs: number; maxMs: number };
}

/** Who holds deliveries: a stream (flow control counts what it holds) or Pull. */
export interface Holder {
  readonly id: number | undefined;
  outstanding: number;
  outstandingBytes: number;
}

interface Entry {
  readonly message: FakeMessage;
  attempts: number;
  current: Delivery | undefined;
  ackedBy: Delivery | undefined;
}

/** One delivery of a message. */
export interface Delivery {
  readonly ackId: string;
  readonly entry: Entry;
  readonly attempt: number;
  readonly holder: Holder;
  /** Server clock ms. */
  deadline: number;
}

/** What became of one ack ID in an ack or deadline change. */
export type IdResult = "ok" | "invalid" | "transient" | "malformed";

/** Ack ID length: the service's longest, so request sizes are what they are on Google Cloud. */
export const ACK_ID_LENGTH = 164;

/** Everything one subscription holds. */
export class Subscription {
  readonly settings: SubscriptionSettings;
  readonly #record: ServerRecord;
  readonly #faults: Faults;
  readonly #prefix: string;
  readonly #byAckId = new Map<string, Delivery>();
  readonly #outstanding = new Set<Delivery>();
  /** Deliverable now, in order (a head index instead of shifting). */
  #ready: Entry[] = [];
  #head = 0;
  /** Waiting out the retry backoff: [when deliverable, entry]. */
  readonly #delayed: [number, Entry][] = [];
  /** With ordering: each key's undelivered or unacked messages, in publish order. */
  readonly #keys = new Map<string, Entry[]>();
  /** Messages not acked (nor forwarded) yet. */
  readonly #entries = new Set<Entry>();
  #seq = 0;

  /** Unacked messages. */
  get unacked(): number {
    return this.#entries.size;
  }

  constructor(settings: SubscriptionSettings, index: number, record: ServerRecord, faults: Faults) {
    this.settings = settings;
    this.#record = record;
    this.#faults = faults;
    this.#prefix = `${index.toString(36)}.`;
  }

  /** A message published to the topic. */
  enqueue(message: FakeMessage): void {
    const entry: Entry = { message, attempts: 0, current: undefined, ackedBy: undefined };
    this.#entries.add(entry);
    const key = this.settings.ordering ? message.orderingKey : "";
    if (key === "") return void this.#ready.push(entry);
    const queue = this.#keys.get(key);
    if (queue) return void queue.push(entry);
    this.#keys.set(key, [entry]);
    this.#ready.push(entry);
  }

  /** Messages deliverable now (after moving those whose backoff ended at `now`). */
  pending(now: number): number {
    this.#undelay(now);
    return this.#ready.length - this.#head;
  }

  /**
   * Takes the next deliverable message, delivering it to `holder` for `seconds` when `fits` its
   * size; forwards it instead once the dead-letter policy's attempts are used (`forward`).
   * Returns the delivery, `undefined` when nothing is deliverable or it does not fit.
   */
  take(
    now: number,
    holder: Holder,
    seconds: number,
    fits: (bytes: number) => boolean,
    forward: (message: FakeMessage, attempts: number) => void,
  ): Delivery | undefined {
    for (;;) {
      if (this.pending(now) === 0) return undefined;
      const entry = this.#ready[this.#head]!;
      const max = this.settings.deadLetter?.maxDeliveryAttempts;
      if (max !== undefined && entry.attempts >= max) {
        this.#head++;
        this.#compact();
        this.#done(entry);
        this.#event("dead-lettered", this.#lastOf(entry), {});
        forward(entry.message, entry.attempts);
        continue;
      }
      if (!fits(entry.message.bytes)) return undefined;
      this.#head++;
      this.#compact();
      entry.attempts++;
      const ackId = this.#ackId();
      const delivery: Delivery = {
        ackId,
        entry,
        attempt: entry.attempts,
        holder,
        deadline: now + seconds * 1000,
      };
      entry.current = delivery;
      this.#byAckId.set(ackId, delivery);
      this.#outstanding.add(delivery);
      holder.outstanding++;
      holder.outstandingBytes += entry.message.bytes;
      this.#event("delivered", delivery, {});
      return delivery;
    }
  }

  /** The `deliveryAttempt` the service reports: 0 without a dead-letter policy. */
  attemptOf(delivery: Delivery): number {
    return this.settings.deadLetter ? delivery.attempt : 0;
  }

  /** Expires every delivery whose deadline passed by `now`. */
  expire(now: number): void {
    for (const delivery of this.#outstanding) {
      if (delivery.deadline <= now) this.#expire(delivery, now);
    }
  }

  /** Acks `ackId` at `now`. */
  ack(ackId: string, now: number, via: "stream" | "rpc"): IdResult {
    const delivery = this.#byAckId.get(ackId);
    if (delivery === undefined) return "malformed";
    const entry = delivery.entry;
    if (entry.current === delivery && delivery.deadline <= now) this.#expire(delivery, now);
    // Injected faults: exactly-once subscriptions answer per ack ID, so only they can say so.
    if (this.settings.exactlyOnce) {
      if (entry.current === delivery && this.#faults.expireBeforeAck(entry.message.id)) {
        this.#expire(delivery, now);
      }
      if (this.#faults.failTransiently(ackId)) return this.#event("failed", delivery, { via });
    }
    if (entry.ackedBy === delivery) return "ok"; // the same ack again
    if (entry.current !== delivery) return this.#stale(delivery, via);
    entry.ackedBy = delivery;
    this.#release(delivery);
    this.#done(entry);
    return this.#event("acked", delivery, { via });
  }

  /** Sets the deadline of `ackId` to `seconds` from `now` (0: nack). */
  modify(ackId: string, seconds: number, now: number, via: "stream" | "rpc"): IdResult {
    const delivery = this.#byAckId.get(ackId);
    if (delivery === undefined) return "malformed";
    const entry = delivery.entry;
    if (entry.current === delivery && delivery.deadline <= now) this.#expire(delivery, now);
    if (entry.current !== delivery) return this.#stale(delivery, via);
    if (seconds > 0) {
      delivery.deadline = now + seconds * 1000;
      return this.#event("extended", delivery, { via, seconds });
    }
    this.#release(delivery);
    this.#again(entry, now);
    return this.#event("nacked", delivery, { via });
  }

  /** The message IDs not acked (nor forwarded) yet. */
  unackedIds(): string[] {
    return [...this.#entries].map((e) => e.message.id);
  }

  /** The messages not acked (nor forwarded) yet. */
  unackedMessages(): FakeMessage[] {
    return [...this.#entries].map((e) => e.message);
  }

  /** An ack or change of an ack ID that is not current: refused with exactly-once, else moot. */
  #stale(delivery: Delivery, via: "stream" | "rpc"): IdResult {
    if (this.settings.exactlyOnce) return this.#event("refused", delivery, { via }, "invalid");
    return this.#event("ignored", delivery, { via });
  }

  #expire(delivery: Delivery, now: number): void {
    this.#release(delivery);
    this.#event("expired", delivery, {});
    this.#again(delivery.entry, now);
  }

  /** Deliverable again, after the retry policy's backoff. */
  #again(entry: Entry, now: number): void {
    const retry = this.settings.retry;
    const delay = retry
      ? Math.min(retry.maxMs, retry.minMs * 2 ** Math.max(0, entry.attempts - 1))
      : 0;
    if (delay <= 0) this.#ready.push(entry);
    else this.#delayed.push([now + delay, entry]);
  }

  #release(delivery: Delivery): void {
    if (!this.#outstanding.delete(delivery)) return;
    delivery.entry.current = undefined;
    delivery.holder.outstanding--;
    delivery.holder.outstandingBytes -= delivery.entry.message.bytes;
  }

  /** Acked or forwarded: its key's next message becomes deliverable. */
  #done(entry: Entry): void {
    this.#entries.delete(entry);
    const key = this.settings.ordering ? entry.message.orderingKey : "";
    const queue = key === "" ? undefined : this.#keys.get(key);
    if (queue === undefined) return;
    queue.shift();
    const next = queue[0];
    if (next === undefined) this.#keys.delete(key);
    else this.#ready.push(next);
  }

  #undelay(now: number): void {
    if (this.#delayed.length === 0) return;
    for (let i = this.#delayed.length - 1; i >= 0; i--) {
      const [at, entry] = this.#delayed[i]!;
      if (at > now) continue;
      this.#delayed.splice(i, 1);
      this.#ready.push(entry);
    }
  }

  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#ready.length) return;
    this.#ready = this.#ready.slice(this.#head);
    this.#head = 0;
  }

  #ackId(): string {
    const id = `${this.#prefix}${(this.#seq++).toString(36)}.`;
    return id.padEnd(ACK_ID_LENGTH, "x");
  }

  /** A delivery record for a forwarded message (its last delivery, or none). */
  #lastOf(entry: Entry): Delivery {
    return { ackId: "", entry, attempt: entry.attempts, holder: PULL, deadline: 0 };
  }

  #event(
    kind: EventKind,
    delivery: Delivery,
    extra: Pick<DeliveryEvent, "via" | "seconds">,
    result: IdResult = "ok",
  ): IdResult {
    const event: DeliveryEvent = {
      at: 0,
      kind,
      subscription: this.settings.name,
      messageId: delivery.entry.message.id,
      ackId: delivery.ackId,
      attempt: delivery.attempt,
      ...extra,
    };
    if (delivery.holder.id !== undefined) event.stream = delivery.holder.id;
    this.#record.note(event);
    return kind === "failed" ? "transient" : result;
  }
}

/** The holder of deliveries made by Pull (no flow control). */
export const PULL: Holder = { id: undefined, outstanding: 0, outstandingBytes: 0 };
