/**
 * Acknowledge and ModifyAckDeadline calls with a result for every ack ID. Each call is made once
 * (the library's own retries are off); the ack IDs that failed transiently are sent again after
 * a backoff (200 ms, or 1 s on an exactly-once subscription, doubling to 64 s) for at most 10
 * minutes, as the Go client does; the others get their result at once. `drain(until)` bounds the
 * wait at shutdown: what has no answer by then is `unconfirmed`, and nothing is retried after it.
 */
import { ACKED, type AckResult, sortResults } from "./ack_result.ts";
import type { SubscriberApi } from "./api.ts";
import type { AckRequestKind, Report } from "./report.ts";

/** Told the result of one ack ID. */
export type Done = (result: AckResult) => void;

/** The longest an ack ID is retried. */
export const MAX_RETRY_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 64_000;

/** The calls of one subscription. */
export class AckCalls {
  readonly #api: SubscriberApi;
  readonly #subscription: string;
  readonly #exactlyOnce: () => boolean;
  readonly #report: Report;
  /** Per call in progress, its ack IDs without a result yet (and who waits for each). */
  readonly #open = new Set<Map<string, Done | undefined>>();
  readonly #calls = new Set<Promise<void>>();
  readonly #timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  #stopped = false;
  /** Calls with ack IDs that failed for good. */
  failures = 0;

  /** Calls on `subscription`; `exactlyOnce` tells the mode now; failures go to `report`. */
  constructor(
    api: SubscriberApi,
    subscription: string,
    options: { exactlyOnce: () => boolean; report: Report },
  ) {
    this.#api = api;
    this.#subscription = subscription;
    this.#exactlyOnce = options.exactlyOnce;
    this.#report = options.report;
  }

  /** Acks `ackIds` (`seconds` undefined) or sets their deadline; `dones` hears each result. */
  send(
    ackIds: readonly string[],
    seconds: number | undefined,
    dones?: readonly (Done | undefined)[],
  ): void {
    const pending = new Map<string, Done | undefined>();
    ackIds.forEach((id, i) => pending.set(id, dones?.[i]));
    if (this.#stopped) return this.#finish(pending, "the worker stopped before it was sent");
    this.#open.add(pending);
    const call = this.#run(pending, seconds).finally(() => {
      this.#open.delete(pending);
      this.#calls.delete(call);
    });
    this.#calls.add(call);
  }

  /**
   * Waits for the calls in progress until `until` (a `performance.now()` time), then stops:
   * no more retries, and every ack ID still without an answer is `unconfirmed`. Returns how
   * many there were.
   */
  async drain(until: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, until - performance.now()));
    });
    await Promise.race([Promise.all([...this.#calls]), late]);
    clearTimeout(timer);
    this.#stopped = true;
    let unanswered = 0;
    for (const pending of this.#open) {
      unanswered += pending.size;
      this.#finish(pending, "no answer from Pub/Sub before the worker stopped");
    }
    for (const [timer, wake] of this.#timers) {
      clearTimeout(timer);
      wake();
    }
    if (unanswered > 0) this.#report({ kind: "acks-unanswered", count: unanswered });
    return unanswered;
  }

  async #run(pending: Map<string, Done | undefined>, seconds: number | undefined): Promise<void> {
    const started = performance.now();
    let delay = this.#exactlyOnce() ? 1000 : 200;
    for (;;) {
      const ids = [...pending.keys()];
      let error: unknown;
      try {
        await (seconds === undefined
          ? this.#api.acknowledge(this.#subscription, ids)
          : this.#api.modifyAckDeadline(this.#subscription, ids, seconds));
      } catch (thrown) {
        error = thrown ?? new Error("the call failed");
      }
      const sorted = sortResults(ids, error);
      for (const id of sorted.ok) resolve(pending, id, ACKED);
      for (const [id, result] of sorted.failed) resolve(pending, id, result);
      if (sorted.failed.size > 0) this.#failed(sorted.failed.size, seconds, error);
      if (pending.size === 0) return;
      if (this.#stopped || performance.now() - started + delay > MAX_RETRY_MS) {
        return this.#finish(
          pending,
          `still failing after ${Math.round((performance.now() - started) / 1000)}s: ${error}`,
        );
      }
      this.#report({
        kind: "acks-retrying",
        count: pending.size,
        what: kindOf(seconds),
        error,
        delayMs: delay,
      });
      await this.#pause(delay);
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  /** Waits `ms`, or less when the calls are drained meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.set(timer, resolve);
    });
  }

  #failed(count: number, seconds: number | undefined, error: unknown): void {
    this.failures++;
    const perAckId = Boolean((error as { errorInfoMetadata?: unknown })?.errorInfoMetadata);
    this.#report({ kind: "acks-failed", count, what: kindOf(seconds), error, perAckId });
  }

  /** Every ack ID of `pending` is `unconfirmed`: `why`. */
  #finish(pending: Map<string, Done | undefined>, why: string): void {
    const result: AckResult = { ok: false, reason: "unconfirmed", detail: why };
    for (const id of [...pending.keys()]) resolve(pending, id, result);
  }
}

function resolve(pending: Map<string, Done | undefined>, id: string, result: AckResult): void {
  const done = pending.get(id);
  pending.delete(id);
  done?.(result);
}

function kindOf(seconds: number | undefined): AckRequestKind {
  if (seconds === undefined) return "acks";
  return seconds === 0 ? "nacks" : "deadline changes";
}
