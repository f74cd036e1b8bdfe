/**
 * The subscription's delivery mode, as each response says it, and what depends on it: the lease
 * asked for (the 99th percentile of held times, ack_deadline.ts; at least 60 s on an exactly-once
 * subscription, as the Go client asks), whether acks wait for Pub/Sub's answer (the batcher's
 * `exactlyOnce`), and extensions: on exactly-once, one Pub/Sub refuses means the lease is gone
 * (its event comes back), so it is extended no more.
 */
import type { AckBatcher } from "./ack_batcher.ts";
import { AckDeadline, EXACTLY_ONCE_MIN_S } from "./ack_deadline.ts";
import type { ReceivedMessage } from "./message.ts";
import type { Report } from "./report.ts";

/** The delivery mode of one subscriber. */
export class DeliveryMode {
  readonly deadline = new AckDeadline();
  readonly #acks: AckBatcher;
  readonly #report: Report;
  #exactlyOnce = false;
  /** Leases Pub/Sub refused to extend. */
  leasesLost = 0;

  constructor(acks: AckBatcher, report: Report) {
    this.#acks = acks;
    this.#report = report;
  }

  /** Whether the subscription delivers exactly once (as its last response said). */
  get exactlyOnce(): boolean {
    return this.#exactlyOnce;
  }

  /** The lease asked for now, in seconds. */
  get seconds(): number {
    const seconds = this.deadline.seconds;
    return this.#exactlyOnce ? Math.max(EXACTLY_ONCE_MIN_S, seconds) : seconds;
  }

  /** A response said whether the subscription delivers exactly once; true when that changed. */
  set(exactlyOnce: boolean): boolean {
    if (exactlyOnce === this.#exactlyOnce) return false;
    this.#exactlyOnce = exactlyOnce;
    this.#acks.exactlyOnce = exactlyOnce;
    this.#report({ kind: "delivery-mode", exactlyOnce, minLeaseSeconds: EXACTLY_ONCE_MIN_S });
    return true;
  }

  /** Extends `messages` to `seconds`; on exactly-once, a refused extension loses the lease. */
  extend(messages: readonly ReceivedMessage[], seconds: number): void {
    const ids = messages.map((m) => m.ackId);
    if (!this.#exactlyOnce) return this.#acks.modify(ids, seconds);
    const byId = new Map(messages.map((m) => [m.ackId, m]));
    this.#acks.modify(ids, seconds, (id, result) => {
      const message = byId.get(id);
      if (result.ok || result.reason !== "invalid-ack-id" || message === undefined) return;
      message.leaseLost = true;
      this.leasesLost++;
      this.#report({ kind: "lease-lost", messageId: message.id });
    });
  }
}
