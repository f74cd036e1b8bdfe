/**
 * Acks, nacks (deadline 0) and deadline changes, batched by count and time, each with its result.
 * A request carries at most 2,500 ack IDs and stays under Pub/Sub's 512 KiB. On an at-least-once
 * subscription a batch goes on one open StreamingPull stream (Pub/Sub takes ack IDs "received on
 * this stream or a different stream": one write per batch), paused by flow control or not
 * (pausing stops reading only: the two directions of a gRPC stream are independent), and counts
 * as sent when written; when no stream can take it, or `via` is `rpc`, it goes as an Acknowledge
 * or ModifyAckDeadline call (ack_calls.ts: a result per ack ID, transient failures retried). On an
 * exactly-once subscription every request is such a call, so each result is Pub/Sub's own answer.
 */
import type { ACK_TRANSPORTS } from "../../config/settings.ts";
import { AckCalls, type Done } from "./ack_calls.ts";
import { ACKED, type AckResult } from "./ack_result.ts";
import type { PullRequest, SubscriberApi } from "./api.ts";
import type { Report } from "./report.ts";

/** Most ack IDs in one request (Pub/Sub's limit, the Go client's batch size). */
export const MAX_BATCH = 2500;
/** Most bytes of ack IDs in one request: Pub/Sub's 512 KiB, less room for the rest of it. */
export const MAX_BATCH_BYTES = 500 * 1024;
/** Bytes an ack ID costs besides its characters: its tag and length (a deadline: 2 more). */
const ID_OVERHEAD = 3;

/** How acks leave: on the streams, or as RPCs (the settings table names them). */
export type AckTransport = typeof ACK_TRANSPORTS[number];

/** Options for {@linkcode AckBatcher}. */
export interface AckBatcherOptions {
  via: AckTransport;
  /** Writes `request` on a stream that can take it now; false when none can. */
  write(request: PullRequest): boolean;
  /** Flush this often while something waits. Default 10 ms. */
  flushMs?: number;
  /** Hears the calls' failures. */
  report: Report;
}

/**
 * `ids` cut into requests of at most {@linkcode MAX_BATCH} ack IDs and
 * {@linkcode MAX_BATCH_BYTES} bytes, each ID costing its length and `overhead`.
 */
export function batches<T>(ids: readonly string[], overhead: number, also: readonly T[] = []) {
  const cut: { ids: string[]; also: T[] }[] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < ids.length; i++) {
    const cost = ids[i]!.length + overhead;
    if (i - from === MAX_BATCH || bytes + cost > MAX_BATCH_BYTES) {
      cut.push({ ids: ids.slice(from, i), also: also.slice(from, i) });
      from = i;
      bytes = 0;
    }
    bytes += cost;
  }
  if (from < ids.length) cut.push({ ids: ids.slice(from), also: also.slice(from) });
  return cut;
}

/** Batches the acks, nacks and deadline changes of one subscription. */
export class AckBatcher {
  readonly #options: AckBatcherOptions;
  readonly #calls: AckCalls;
  #acks: string[] = [];
  #ackDones: Done[] = [];
  #nacks: string[] = [];
  #nackDones: (Done | undefined)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The subscription delivers exactly once: every request is a call, its results awaited. */
  exactlyOnce = false;

  constructor(api: SubscriberApi, subscription: string, options: AckBatcherOptions) {
    this.#options = options;
    this.#calls = new AckCalls(api, subscription, {
      exactlyOnce: () => this.exactlyOnce,
      report: options.report,
    });
  }

  /** Calls with ack IDs that failed for good (their messages come back). */
  get failures(): number {
    return this.#calls.failures;
  }

  /** Queues an ack of `ackId`; `done` hears when it was sent (exactly-once: answered). */
  ack(ackId: string, done: Done): void {
    this.#acks.push(ackId);
    this.#ackDones.push(done);
    this.#added();
  }

  /** Queues a nack (deadline 0) of `ackId`. */
  nack(ackId: string, done?: Done): void {
    this.#nacks.push(ackId);
    this.#nackDones.push(done);
    this.#added();
  }

  /**
   * Sets the deadline of `ackIds` to `seconds` now (receipts and extensions: one request per
   * batch); `done`, when given, hears each ack ID's result.
   */
  modify(
    ackIds: readonly string[],
    seconds: number,
    done?: (ackId: string, result: AckResult) => void,
  ): void {
    const dones = done ? ackIds.map((id) => (result: AckResult) => done(id, result)) : [];
    for (const batch of batches(ackIds, ID_OVERHEAD + 2, dones)) {
      this.#send(batch.ids, seconds, batch.also);
    }
  }

  /** Sends again, as calls, requests written to a stream that ended before Pub/Sub read them. */
  resend(requests: readonly PullRequest[]): void {
    for (const request of requests) {
      if (request.ackIds?.length) this.#calls.send(request.ackIds, undefined);
      const ids = request.modifyDeadlineAckIds ?? [];
      const seconds = request.modifyDeadlineSeconds ?? [];
      // A stream write sets one deadline for all its ack IDs (modify() and the nacks do).
      if (ids.length > 0) this.#calls.send(ids, seconds[0] ?? 0);
    }
  }

  /** Sends everything queued now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const acks = this.#acks;
    const ackDones = this.#ackDones;
    const nacks = this.#nacks;
    const nackDones = this.#nackDones;
    this.#acks = [];
    this.#ackDones = [];
    this.#nacks = [];
    this.#nackDones = [];
    for (const batch of batches(acks, ID_OVERHEAD, ackDones)) {
      this.#send(batch.ids, undefined, batch.also);
    }
    for (const batch of batches(nacks, ID_OVERHEAD + 2, nackDones)) {
      this.#send(batch.ids, 0, batch.also);
    }
  }

  /**
   * Sends everything queued and waits for the answers until `until` (a `performance.now()`
   * time); returns how many ack IDs were still unanswered then (their messages come back).
   */
  drain(until: number): Promise<number> {
    this.flush();
    return this.#calls.drain(until);
  }

  #added(): void {
    if (this.#acks.length + this.#nacks.length >= MAX_BATCH) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#options.flushMs ?? 10);
    }
  }

  /** On a stream when one can take it (at-least-once only), else as a call. */
  #send(ids: string[], seconds: number | undefined, dones: readonly (Done | undefined)[]): void {
    if (
      !this.exactlyOnce && this.#options.via === "stream" &&
      this.#options.write(request(ids, seconds))
    ) {
      for (const done of dones) done?.(ACKED);
      return;
    }
    this.#calls.send(ids, seconds, dones);
  }
}

function request(ids: string[], seconds: number | undefined): PullRequest {
  return seconds === undefined
    ? { ackIds: ids }
    : { modifyDeadlineAckIds: ids, modifyDeadlineSeconds: ids.map(() => seconds) };
}
