/**
 * A response's receipt. Pub/Sub gives each delivery the stream's ack deadline at delivery, not
 * the lease the client books, so every response's ack IDs get a deadline change to the lease
 * asked for at once (as the Go and Node clients do); each message's lease is then what the
 * server granted, and its extensions land before it runs out. On an exactly-once subscription
 * the change is awaited: only the messages whose change Pub/Sub confirmed are handed over, in
 * the stream's order; one it refused is dropped unhandled (Pub/Sub delivers it again).
 */
import type { AckBatcher } from "./ack_batcher.ts";
import type { AckResult } from "./ack_result.ts";
import type { ReceivedMessage } from "./message.ts";
import type { Report } from "./report.ts";

/** What a receipt tells the subscriber. */
export interface ReceiptListener {
  /** The message may be handled now. */
  accepted(message: ReceivedMessage): void;
  /** Pub/Sub refused the message's receipt: it is not ours to handle. */
  refused(message: ReceivedMessage): void;
  /** Reports what was refused, once per response. */
  report: Report;
}

/** Receipts of one subscriber, in each stream's order. */
export class Receipts {
  readonly #acks: AckBatcher;
  readonly #listener: ReceiptListener;
  /** Per stream, the last exactly-once receipt in progress. */
  readonly #chains = new Map<number, Promise<void>>();
  /** Messages whose exactly-once receipt was refused. */
  refused = 0;

  constructor(acks: AckBatcher, listener: ReceiptListener) {
    this.#acks = acks;
    this.#listener = listener;
  }

  /** Receives `messages` of stream `index`, leased for `seconds`. */
  receive(index: number, messages: readonly ReceivedMessage[], seconds: number): void {
    const ids = messages.map((m) => m.ackId);
    if (!messages[0]?.exactlyOnce) {
      this.#acks.modify(ids, seconds);
      for (const message of messages) this.#listener.accepted(message);
      return;
    }
    const before = this.#chains.get(index) ?? Promise.resolve();
    const chain = before.then(() => this.#confirmed(messages, ids, seconds));
    this.#chains.set(index, chain);
    void chain.finally(() => {
      if (this.#chains.get(index) === chain) this.#chains.delete(index);
    });
  }

  async #confirmed(messages: readonly ReceivedMessage[], ids: string[], seconds: number) {
    const results = new Map<string, AckResult>();
    const all = Promise.withResolvers<void>();
    this.#acks.modify(ids, seconds, (id, result) => {
      results.set(id, result);
      if (results.size === ids.length) all.resolve();
    });
    await all.promise;
    let refused: AckResult | undefined;
    let count = 0;
    for (const message of messages) {
      const result = results.get(message.ackId);
      if (result?.ok) this.#listener.accepted(message);
      else {
        refused = result;
        count++;
        this.#listener.refused(message);
      }
    }
    if (refused === undefined || refused.ok) return;
    this.refused += count;
    this.#listener.report({
      kind: "receipts-refused",
      count,
      reason: refused.reason,
      detail: refused.detail,
    });
  }
}
