/**
 * Acks, nacks (deadline 0) and deadline extensions, batched by count and time. A batch goes on
 * one open StreamingPull stream that is reading (Pub/Sub takes ack IDs "received on this stream
 * or a different stream": one write per batch, not one per stream) or, when no stream can take
 * it or `via` is `rpc`, as Acknowledge / ModifyAckDeadline calls, retried on transient codes. A
 * paused stream is not written to (a precaution: a server blocked on sending to it may not read
 * it; measured on the emulator, it did not change case 18's redeliveries). A batch that still
 * fails is counted: its messages are redelivered, never lost.
 */
import type { ACK_TRANSPORTS } from "../../config/settings.ts";
import { logger } from "../../telemetry/log.ts";
import type { PullRequest, SubscriberApi } from "./api.ts";
import { GRPC } from "../grpc_codes.ts";

/** Most ack IDs in one request (the Go client's batch size). */
export const MAX_BATCH = 2500;
/** gRPC codes worth another try. */
const TRANSIENT = new Set<number>([
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.ABORTED,
  GRPC.INTERNAL,
  GRPC.UNAVAILABLE,
]);
const RETRIES = 3;

/** How acks leave: on the streams, or as RPCs (the settings table names them). */
export type AckTransport = typeof ACK_TRANSPORTS[number];

/** Options for {@linkcode AckBatcher}. */
export interface AckBatcherOptions {
  via: AckTransport;
  /** Writes `request` on a stream that can take it now; false when none can. */
  write(request: PullRequest): boolean;
  /** Flush this often while something waits. Default 10 ms. */
  flushMs?: number;
}

const log = logger("subscriber");

/** Batches the acks and nacks of one subscription. */
export class AckBatcher {
  readonly #api: SubscriberApi;
  readonly #subscription: string;
  readonly #options: AckBatcherOptions;
  #acks: string[] = [];
  #nacks: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = new Set<Promise<void>>();
  /** Batches that failed for good (their messages come back). */
  failures = 0;

  constructor(api: SubscriberApi, subscription: string, options: AckBatcherOptions) {
    this.#api = api;
    this.#subscription = subscription;
    this.#options = options;
  }

  /** Queues an ack of `ackId`. */
  ack(ackId: string): void {
    this.#acks.push(ackId);
    this.#added();
  }

  /** Queues a nack (deadline 0) of `ackId`. */
  nack(ackId: string): void {
    this.#nacks.push(ackId);
    this.#added();
  }

  /** Extends `ackIds` to `seconds` now (one request per batch). */
  extend(ackIds: readonly string[], seconds: number): void {
    this.#deadlines(ackIds, seconds);
  }

  /** Sends everything queued; resolves once every RPC sent so far has answered. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const acks = this.#acks;
    const nacks = this.#nacks;
    this.#acks = [];
    this.#nacks = [];
    for (let i = 0; i < acks.length; i += MAX_BATCH) {
      this.#send({ ackIds: acks.slice(i, i + MAX_BATCH) });
    }
    this.#deadlines(nacks, 0);
    await Promise.all([...this.#inFlight]);
  }

  #deadlines(ackIds: readonly string[], seconds: number): void {
    for (let i = 0; i < ackIds.length; i += MAX_BATCH) {
      const ids = ackIds.slice(i, i + MAX_BATCH);
      this.#send({ modifyDeadlineAckIds: ids, modifyDeadlineSeconds: ids.map(() => seconds) });
    }
  }

  #added(): void {
    if (this.#acks.length + this.#nacks.length >= MAX_BATCH) void this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushMs ?? 10);
    }
  }

  /** On a stream when one can take it, else as RPCs. */
  #send(request: PullRequest): void {
    if (this.#options.via === "stream" && this.#options.write(request)) return;
    const call = this.#rpc(request).finally(() => this.#inFlight.delete(call));
    this.#inFlight.add(call);
  }

  async #rpc(request: PullRequest): Promise<void> {
    const send = request.ackIds
      ? () => this.#api.acknowledge(this.#subscription, request.ackIds as string[])
      : () =>
        this.#api.modifyAckDeadline(
          this.#subscription,
          request.modifyDeadlineAckIds as string[],
          request.modifyDeadlineSeconds?.[0] ?? 0,
        );
    for (let attempt = 1;; attempt++) {
      try {
        await send();
        return;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (attempt <= RETRIES && code !== undefined && TRANSIENT.has(code)) {
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
          continue;
        }
        this.failures++;
        const ids = (request.ackIds ?? request.modifyDeadlineAckIds ?? []).length;
        log.warning("A batch of {ids} {kind} failed ({error}): those messages come back", {
          ids,
          kind: request.ackIds ? "acks" : "deadline changes",
          error,
        });
        return;
      }
    }
  }
}
