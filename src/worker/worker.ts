/**
 * The worker composes the pipeline: a {@linkcode Session} delivers messages, the {@linkcode Pool}
 * bounds how many run, the pipeline decides each outcome, the {@linkcode Settler} carries it out
 * and the {@linkcode Tally} counts it. Stopping stops new work, drains, nacks the rest, closes.
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import { builtInContract } from "../event/contract.ts";
import { createClient, describeTarget } from "../pubsub/client.ts";
import { logger } from "../telemetry/log.ts";
import { Abandoned } from "./abandoned.ts";
import { Dedupe } from "./dedupe.ts";
import { logEvent } from "./handlers/log_event.ts";
import { LeaseWindow } from "./lease_window.ts";
import type { OutcomeRecord } from "./outcome.ts";
import { Tally } from "./tally.ts";
import { type PauseReason, Pauses } from "./pause.ts";
import type { Pool } from "./pool.ts";
import { Dispatcher } from "./dispatch.ts";
import { Session } from "./session.ts";
import { type HandlerStack, handlerStack } from "./stack.ts";
import { TypeLabels } from "./type_labels.ts";
import { Settler } from "./settle.ts";
import type { DeliverContext } from "./deliver.ts";
import type { ProcessOptions } from "./pipeline.ts";
import { openAfterChecks } from "./preflight.ts";
import type { WorkerCounters, WorkerStats } from "./stats.ts";
import { shutdown } from "./shutdown.ts";
import { type WorkerOptions, type WorkerSettings, workerSettings } from "./options.ts";

export type { WorkerCounters, WorkerOptions, WorkerStats };

const log = logger("worker");

/** The event worker: see the module comment for how it composes the pipeline. */
export class Worker {
  readonly #config: WorkerSettings;
  readonly #client: PubSub;
  readonly #ownsClient: boolean;
  readonly #deliver: Omit<DeliverContext, "failures" | "retry">;
  /** What the pipeline needs; max delivery attempts follow the subscription's policy. */
  readonly #process: { -readonly [K in keyof ProcessOptions]: ProcessOptions[K] };
  readonly #dispatcher: Dispatcher;
  readonly #pool: Pool;
  readonly #stack: HandlerStack;
  readonly #pauses = new Pauses((held) => this.#session.hold(held));
  readonly #abandoned: Abandoned;
  readonly #tally = new Tally();
  readonly #settler: Settler;
  readonly #session: Session;
  readonly #window: LeaseWindow;
  readonly #abort = new AbortController();
  readonly #done = Promise.withResolvers<void>();
  #started = false;
  #stopping: Promise<void> | undefined;

  /**
   * A worker with `options` (each has a default, see {@linkcode WorkerOptions}); not started:
   * call {@linkcode Worker.start}.
   */
  constructor(options: WorkerOptions = {}) {
    const config = workerSettings(options);
    this.#config = config;
    this.#client = options.client ?? createClient(config);
    this.#ownsClient = options.client === undefined;
    this.#stack = handlerStack(
      { ...config, adaptivePace: options.adaptivePace === true },
      options.handler ?? logEvent,
      this.#pauses,
    );
    this.#abandoned = new Abandoned(config.poolSize);
    this.#settler = new Settler(this.#client, config, this.#tally);
    this.#process = {
      contract: options.contract ?? builtInContract(),
      maxDeliveryAttempts: config.maxDeliveryAttempts,
      maxPayloadBytes: config.maxPayload,
      signal: this.#abort.signal,
      dedupe: new Dedupe(config.dedupeWindow, config.dedupeFor),
      busyWaitMs: config.handlerTimeout,
      labels: new TypeLabels(),
    };
    this.#deliver = {
      subscription: config.subscription,
      handler: this.#stack.handler,
      options: this.#process,
      settler: this.#settler,
      abandoned: this.#abandoned,
    };
    this.#dispatcher = new Dispatcher(config, this.#deliver);
    this.#pool = this.#dispatcher.pool;
    this.#window = new LeaseWindow(config);
    this.#session = new Session(this.#client, config, this.#window.current, {
      message: (message) => this.#onMessage(message),
      giveUp: (message, reason, handedOver) => this.#settler.giveBack(message, reason, handedOver),
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
      ...this.counters,
      inFlight: pool.inFlight,
      peakInFlight: pool.peak,
      waitingForPermit: pool.waiting,
      freePermits: pool.size - pool.inFlight,
      poolSize: pool.size,
      leaseWindow: this.#window.current,
      connected: this.#session.connected,
      abandoned: this.#abandoned.count,
      keys: this.#dispatcher.keyStats,
      rateLimit: this.#stack.pace?.rate,
      paused: this.#pauses.entries,
    };
  }

  /** The counters since start, read now and cheaply (what /metrics reads for its counters). */
  get counters(): WorkerCounters {
    return {
      ...this.#tally.counts,
      received: this.#tally.received,
      retriesInPlace: this.#dispatcher.retriesInPlace,
      refusals: this.#stack.gate.refusals,
      typeMismatches: this.#process.labels?.mismatches ?? 0,
      subscriber: this.#session.stats,
    };
  }

  /** Ready: started, not stopping, not paused, the subscription open and its channel connected. */
  get ready(): boolean {
    return this.#started && !this.#stopping && !this.#pauses.held && this.#session.connected;
  }

  /** Stops taking new messages for `reason` (what was received still runs; pause.ts). */
  pause(reason: PauseReason = "operator", detail = "paused by hand"): void {
    this.#pauses.add(reason, detail);
  }

  /** Lifts the pause for `reason`; pulling resumes once no reason holds it. */
  resume(reason: PauseReason = "operator"): void {
    this.#pauses.remove(reason);
  }

  /**
   * Live unless wedged or lost: every permit held by a timed-out handler that did not stop, the
   * subscription gone (NOT_FOUND or PERMISSION_DENIED on every recent reopen), a key stuck
   * (`stats.keys.stuck`), or the pool full with nothing finishing for twice the handler timeout.
   * The last two never while the handler gate holds refused calls (they wait for the service by
   * design, their keys and permits with them, until the gate pauses and its probe gets through),
   * and the last not while paused: a restart would only nack the held events, each a delivery
   * attempt towards the dead-letter topic, and meet the same refusal.
   */
  get live(): boolean {
    if (this.#abandoned.wedged || this.#session.broken) return false;
    if (this.#stack.gate.holding > 0) return true;
    if (this.#dispatcher.stuck()) return false;
    if (this.#pauses.held) return true;
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
    openAfterChecks(this.#client, c, {
      found: ({ maxDeliveryAttempts, retryBackoff, fatal }) => {
        if (maxDeliveryAttempts) this.#process.maxDeliveryAttempts = maxDeliveryAttempts;
        Object.assign(this.#dispatcher.retry, retryBackoff);
        if (fatal) this.#fail(fatal);
      },
      stopping: () => this.#stopping !== undefined,
      open: (keyed) => this.#session.open({ keyed }),
    });
  }

  /**
   * Stops pulling, lets events in flight finish within the shutdown timeout (they are acked),
   * nacks what is left, and closes the client. Safe to call more than once.
   */
  stop(): Promise<void> {
    // What the gate holds waits for nothing a drain can give: nacked at once (shutting-down).
    if (this.#stack.gate.paused) this.#abort.abort(new Error("the worker stopped while paused"));
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
    // What the stop gives back unstarted, logged one by one at debug only: counted here.
    let givenBack = 0;
    this.#tally.onOutcome((r) => {
      if (r.reason === "shutting-down" && r.handlerMs === undefined) givenBack++;
    });
    const notStarted = this.#pool.stats.waiting + this.#dispatcher.keyStats.waiting;
    const { received, counts } = this.#tally;
    const decided = counts.acked + counts.duplicate + counts.nacked + counts["dead-lettered"];
    const held = await shutdown({
      dispatcher: this.#dispatcher,
      pool: this.#pool,
      session: this.#session,
      settler: this.#settler,
      abort: this.#abort,
      shutdownTimeout: this.#config.shutdownTimeout,
      running: Math.max(0, received - decided - notStarted),
      notStarted,
    });
    if (this.#ownsClient) await this.#client.close();
    const { acked, nacked, "dead-lettered": deadLettered } = this.#tally.counts;
    log.info(
      "Worker stopped; since start: {acked} acked, {nacked} nacked, {deadLettered} " +
        "dead-lettered; at the stop {givenBack} events not started were given back and {held} " +
        "messages still held were nacked",
      { acked, nacked, deadLettered, givenBack, held },
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
