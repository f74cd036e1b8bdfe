/**
 * The messages the subscriber holds, and their leases: every held message (running, waiting for
 * a permit, or held for a Retry-After) is extended before Pub/Sub's deadline for it passes, in
 * one batch per tick, until `maxLeaseMs` after its receipt; then it is given up
 * (nacked) and counted, as the Go client's MaxExtension bounds it. An acked message leaves the
 * window at once, but its lease is still extended until its ack was sent (or, exactly once,
 * answered): an ack retried through an outage must not find its lease gone.
 */
import type { ReceivedMessage } from "./message.ts";

/** Extend a lease this long before it would run out (the Go client's grace period). */
export const GRACE_MS = 5_000;

/** What one tick decided. */
export interface Due {
  /** The messages to extend now. */
  extend: ReceivedMessage[];
  /** Held past the max lease: to nack. */
  expired: ReceivedMessage[];
}

/** The held messages of one subscriber. */
export class LeaseBook {
  readonly #held = new Set<ReceivedMessage>();
  /** Acked, the ack not sent or answered yet. */
  readonly #acking = new Set<ReceivedMessage>();
  #bytes = 0;
  #waiting = 0;
  readonly #perStream = new Map<number, number>();
  /** Deadline extensions sent (one per message per extension). */
  extensions = 0;
  /** Messages given up after the max lease. */
  expired = 0;

  /** Messages held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Held messages not waiting for their key: those the lease window counts. */
  get ready(): number {
    return this.#held.size - this.#waiting;
  }

  /**
   * Whether nothing more may be taken: `window` messages ready, `maxWaiting` waiting for their
   * key (held beyond the window), or `maxBytes` of data held. When reading is `paused`, it stays
   * full until a tenth of each limit (rounded up) has left: resuming at the first settle
   * re-paused every stream at the next message, over and over while a backlog kept it full.
   * Below 20 that is one, as without the gap, so an empty book always resumes.
   */
  full(window: number, maxWaiting: number, maxBytes: number, paused = false): boolean {
    const limit = (n: number) => paused ? n - Math.ceil(n / 10) + 1 : n;
    return this.ready >= limit(window) ||
      (this.#waiting > 0 && this.#waiting >= limit(maxWaiting)) || this.#bytes >= limit(maxBytes);
  }

  /** Held messages waiting for an earlier one of their key. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Counts `message` as waiting or not (it is held; the message keeps its own flag). */
  setWaiting(message: ReceivedMessage, waiting: boolean): void {
    if (this.#held.has(message)) this.#waiting += waiting ? 1 : -1;
  }

  /** Data bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages held from stream `index`. */
  heldFrom(index: number): number {
    return this.#perStream.get(index) ?? 0;
  }

  /** Holds `message`, leased until `deadlineMs` from now. */
  add(message: ReceivedMessage, deadlineMs: number): void {
    message.leasedUntil = message.receivedAt + deadlineMs;
    this.#held.add(message);
    this.#bytes += message.data.byteLength;
    this.#perStream.set(message.stream, this.heldFrom(message.stream) + 1);
  }

  /** `message` was acked: it leaves the window, its lease is kept until {@linkcode acked}. */
  acking(message: ReceivedMessage): void {
    if (this.remove(message)) this.#acking.add(message);
  }

  /** The ack of `message` was sent or answered: its lease is no longer kept. */
  acked(message: ReceivedMessage): void {
    this.#acking.delete(message);
  }

  /** Lets `message` go (acked or nacked); false when it was not held. */
  remove(message: ReceivedMessage): boolean {
    if (!this.#held.delete(message)) return false;
    this.#bytes -= message.data.byteLength;
    if (message.waiting) this.#waiting--;
    this.#perStream.set(message.stream, this.heldFrom(message.stream) - 1);
    return true;
  }

  /** Every held message (for close). */
  all(): ReceivedMessage[] {
    return [...this.#held];
  }

  /**
   * At `now`: the leases that run out within the grace period, extended to `deadlineMs` from
   * now, and the messages held past `maxLeaseMs` (removed here). O(held), no allocation for
   * messages not due.
   */
  due(now: number, deadlineMs: number, maxLeaseMs: number): Due {
    const extend: ReceivedMessage[] = [];
    const expired: ReceivedMessage[] = [];
    const grace = Math.min(GRACE_MS, deadlineMs / 2);
    for (const message of this.#held) {
      if (now - message.receivedAt >= maxLeaseMs) {
        expired.push(message);
        continue;
      }
      this.#extend(message, now, deadlineMs, grace, extend);
    }
    for (const message of this.#acking) this.#extend(message, now, deadlineMs, grace, extend);
    for (const message of expired) this.remove(message);
    this.expired += expired.length;
    return { extend, expired };
  }

  #extend(m: ReceivedMessage, now: number, ms: number, grace: number, to: ReceivedMessage[]) {
    if (m.leasedUntil - now > grace || m.leaseLost) return;
    m.leasedUntil = now + ms;
    to.push(m);
    this.extensions++;
  }
}
