/**
 * The worker composes the pipeline: a {@linkcode Session} delivers messages, the {@linkcode Pool}
 * bounds how many run, the pipeline decides each outcome, the {@linkcode Settler} carries it out
 * and the {@linkcode Tally} counts it. Stopping stops new work, drains, nacks the rest, closes.
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { Config } from "../config/settings.ts";
import { builtInContract, type EventContract } from "../event/contract.ts";
import { createClient, describeTarget } from "../pubsub/client.ts";
import { logger } from "../telemetry/log.ts";
import { Abandoned } from "./abandoned.ts";
import { Dedupe } from "./dedupe.ts";
import { compose, type Handler } from "./handler.ts";
import { defaultHandler } from "./handlers/resolve.ts";
import { LeaseWindow } from "./lease.ts";
import { withTimeout } from "./middleware/timeout.ts";
import { type OutcomeRecord, Tally } from "./outcome.ts";
import type { Pool } from "./pool.ts";
import { Dispatcher } from "./dispatch.ts";
import { Pace, withPace } from "./middleware/rate_limit.ts";
import { Session } from "./session.ts";
import { Settler } from "./settle.ts";
import type { DeliverContext } from "./deliver.ts";
import type { ProcessOptions } from "./pipeline.ts";
import { preflight } from "./preflight.ts";
import type { WorkerStats } from "./stats.ts";
import { shutdown } from "./shutdown.ts";

export type { WorkerStats };

/** Options for {@linkcode Worker}. */
export interface WorkerOptions {
  /** The event handler, without timeout (the worker adds it). Default: the logging handler
   * with the `--simulate-*` settings applied (see `resolveHandler` for the CLI's choice). */
  handler?: Handler;
  /** What a valid event is (see `resolveContract` for the CLI's choice). Default: the built-in
   * `PaymentMethodCreated` contract. */
  contract?: EventContract;
  /**
   * Use this client instead of creating one; the worker then does not close it.
   * @ignore
   */
  client?: PubSub;
}

const log = logger("worker");

/** The event worker: see the module comment for how it composes the pipeline. */
export class Worker {
  readonly #config: Config;
  readonly #client: PubSub;
  readonly #ownsClient: boolean;
  readonly #deliver: DeliverContext;
  /** What the pipeline needs; max delivery attempts follow the subscription's policy. */
  readonly #process: { -readonly [K in keyof ProcessOptions]: ProcessOptions[K] };
  readonly #dispatcher: Dispatcher;
  readonly #pool: Pool;
  readonly #pace: Pace | undefined;
  readonly #abandoned: Abandoned;
  readonly #tally = new Tally();
  readonly #settler: Settler;
  readonly #session: Session;
  readonly #window: LeaseWindow;
  readonly #abort = new AbortController();
  readonly #done = Promise.withResolvers<void>();
  #started = false;
  #stopping: Promise<void> | undefined;

  /** A worker for `config` (not started: call {@linkcode Worker.start}). */
  constructor(config: Config, options: WorkerOptions = {}) {
    this.#config = config;
    this.#client = options.client ?? createClient(config);
    this.#ownsClient = options.client === undefined;
    const base = options.handler ?? defaultHandler(config);
    // A pace when one is set, or when an HTTP service may throttle (429/503).
    const paced = config.rateLimit !== undefined || config.handlerUrl !== undefined;
    this.#pace = paced ? new Pace(config.rateLimit) : undefined;
    this.#abandoned = new Abandoned(config.poolSize);
    this.#settler = new Settler(this.#client, config, this.#tally);
    this.#process = {
      contract: options.contract ?? builtInContract(config.eventType),
      maxDeliveryAttempts: config.maxDeliveryAttempts,
      maxPayloadBytes: config.maxPayload,
      signal: this.#abort.signal,
      dedupe: new Dedupe(config.dedupeWindow),
    };
    this.#deliver = {
      subscription: config.subscription,
      handler: this.#pace
        ? compose(base, withPace(this.#pace), withTimeout(config.handlerTimeout))
        : compose(base, withTimeout(config.handlerTimeout)),
      options: this.#process,
      settler: this.#settler,
      abandoned: this.#abandoned,
    };
    this.#dispatcher = new Dispatcher(config, this.#deliver);
    this.#pool = this.#dispatcher.pool;
    this.#window = new LeaseWindow(config);
    this.#session = new Session(this.#client, config, this.#window.current, {
      message: (message) => this.#onMessage(message),
      fatal: (error) => this.#fail(error),
    });
    this.#tally.onOutcome((record) => {
      if (record.handlerMs === undefined) return;
      const window = this.#window.observe(record.handlerMs);
      if (window !== undefined) this.#session.resize(window);
    });
  }

  /** Resolves when the worker has stopped; rejects if the subscription failed for good. */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  /** Counters since start, and the pool now. */
  get stats(): WorkerStats {
    const pool = this.#pool.stats;
    return {
      ...this.#tally.counts,
      received: this.#tally.received,
      inFlight: pool.inFlight,
      peakInFlight: pool.peak,
      waitingForPermit: pool.waiting,
      freePermits: pool.size - pool.inFlight,
      poolSize: pool.size,
      leaseWindow: this.#window.current,
      connected: this.#session.connected,
      abandoned: this.#abandoned.count,
      subscriber: this.#session.stats,
      keys: this.#dispatcher.keyStats,
      rateLimit: this.#pace?.rate,
    };
  }

  /** Ready: started, not stopping, the subscription open and its channel connected. */
  get ready(): boolean {
    return this.#started && this.#stopping === undefined && this.#session.connected;
  }

  /**
   * Live unless wedged or lost: every permit held by a timed-out handler that did not stop, the
   * subscription gone (NOT_FOUND or PERMISSION_DENIED on every recent reopen), or the pool full
   * with nothing finishing for twice the handler timeout.
   */
  get live(): boolean {
    if (this.#abandoned.wedged || this.#session.broken) return false;
    const { inFlight, size } = this.#pool.stats;
    const limit = 2 * (this.#config.handlerTimeout || 60_000);
    return inFlight < size || performance.now() - this.#tally.lastOutcomeAt < limit;
  }

  /** Calls `listener` for each delivery as it arrives. */
  onReceive(listener: () => void): void {
    this.#tally.onReceive(listener);
  }

  /** Calls `listener` after each delivery's outcome was carried out. */
  onOutcome(listener: (record: OutcomeRecord) => void): void {
    this.#tally.onOutcome(listener);
  }

  /** Opens the subscription and starts handling events. */
  start(): void {
    const c = this.#config;
    log.info(
      "Worker consuming {subscription} on {target} with pool {poolSize}, {streams} streams, " +
        "lease window {leaseWindow} ({how})",
      {
        subscription: c.subscription,
        target: describeTarget(c),
        poolSize: c.poolSize,
        streams: c.streams,
        leaseWindow: this.#window.current,
        how: this.#window.fixed ? "fixed" : "adapts to handler time",
      },
    );
    this.#started = true;
    // Nothing is consumed before the checks (a missing dead-letter topic stops the worker first),
    // unless Pub/Sub does not answer them within --connect-timeout: then it opens anyway.
    let ordered = false;
    const checked = preflight(this.#client, c).then((found) => {
      if (found.maxDeliveryAttempts) this.#process.maxDeliveryAttempts = found.maxDeliveryAttempts;
      ordered = found.ordered ?? false;
      if (found.fatal) this.#fail(found.fatal);
      return found.fatal;
    });
    let patience: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<undefined>((r) => {
      patience = setTimeout(() => r(undefined), c.connectTimeout);
    });
    void Promise.race([checked, waited]).then((fatal) => {
      clearTimeout(patience);
      if (fatal !== undefined || this.#stopping !== undefined) return;
      // Keyed work holds, beyond the window, the events that wait for their key: each stream's
      // server-side limit must leave room for them.
      this.#session.open({ keyed: ordered || c.keyFrom !== undefined });
    });
  }

  /**
   * Stops pulling, lets events in flight finish within the shutdown timeout (they are acked),
   * nacks what is left, and closes the client. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  /**
   * Forced stop (a second signal): fails every handler now, so each event in flight is nacked
   * (reason shutting-down), then stops as {@linkcode stop} does.
   */
  abort(): Promise<void> {
    this.#abort.abort(new Error("the worker was interrupted"));
    return this.stop();
  }

  async #shutdown(): Promise<void> {
    await shutdown({
      dispatcher: this.#dispatcher,
      pool: this.#pool,
      session: this.#session,
      settler: this.#settler,
      abort: this.#abort,
      shutdownTimeout: this.#config.shutdownTimeout,
    });
    if (this.#ownsClient) await this.#client.close();
    const { acked, nacked, "dead-lettered": deadLettered } = this.#tally.counts;
    log.info(
      "Worker stopped; since start: {acked} acked, {nacked} nacked, {deadLettered} dead-lettered",
      { acked, nacked, deadLettered },
    );
    this.#done.resolve();
  }

  /** The worker cannot go on: `done` rejects with `error` once it has stopped. */
  #fail(error: Error): void {
    this.#done.reject(error);
    void this.stop();
  }

  #onMessage(message: ReceivedMessage): void {
    this.#tally.receive();
    this.#dispatcher.dispatch(message);
  }
}
