/**
 * The worker: pulls from the subscription through a bounded lease window, runs each delivery
 * through the pipeline inside the pool, and carries out the outcome. This is the one place that
 * acks, nacks and dead-letters. An event is acked only after it was handled, or after its copy
 * reached the dead-letter topic; anything else is nacked, so nothing is lost.
 */
import type { Message, PubSub, Subscription, Topic } from "@google-cloud/pubsub";
import { type Config, leaseWindow } from "../config/settings.ts";
import { compose, type Handler, logEvent, withSimulation, withTimeout } from "./handler.ts";
import { logger } from "../telemetry/log.ts";
import { type Outcome, processDelivery } from "./pipeline.ts";
import { Dedupe } from "./dedupe.ts";
import { Pool, PoolClosedError } from "./pool.ts";
import { channelReady, createClient, describeTarget } from "../pubsub/client.ts";
import {
  logOutcome,
  type OutcomeReason,
  type OutcomeRecord,
  outcomeRecord,
  round,
} from "./outcome.ts";
import { deadLetterAttributes } from "./dead_letter.ts";
import { inSpan } from "../telemetry/tracing.ts";

/** Counters since the worker started. */
export interface WorkerStats {
  received: number;
  acked: number;
  /** Redeliveries of events this process had already handled, acked without handling. */
  duplicates: number;
  nacked: number;
  deadLettered: number;
  inFlight: number;
  peakInFlight: number;
  /** Permits free in the pool. */
  freePermits: number;
  poolSize: number;
  leaseWindow: number;
}

/** Options for {@linkcode Worker}. */
export interface WorkerOptions {
  /** The event handler, without timeout (the worker adds it). Default: the logging handler
   * with the `--simulate-*` settings applied. */
  handler?: Handler;
  /** Use this client instead of creating one; the worker then does not close it. */
  client?: PubSub;
}

/** What {@linkcode Worker.stop} found. */
export interface StopReport {
  /** Every event in flight finished within the shutdown timeout. */
  drained: boolean;
}

const log = logger("worker");
/** A close this soon after start, before any message, means the subscription is unusable. */
const STARTUP_GRACE_MS = 10_000;
const MIN_REOPEN_DELAY_MS = 1_000;
const MAX_REOPEN_DELAY_MS = 30_000;

export class Worker {
  readonly #config: Config;
  readonly #client: PubSub;
  readonly #ownsClient: boolean;
  readonly #handler: Handler;
  readonly #pool: Pool;
  readonly #subscription: Subscription;
  readonly #deadLetterTopic: Topic;
  readonly #abort = new AbortController();
  readonly #listeners: ((record: OutcomeRecord) => void)[] = [];
  readonly #counts = { received: 0, acked: 0, duplicates: 0, nacked: 0, deadLettered: 0 };
  readonly #dedupe: Dedupe;
  readonly #receiveListeners: (() => void)[] = [];
  readonly #done = Promise.withResolvers<void>();
  #stopping: Promise<StopReport> | undefined;
  #started = false;
  #connected = false;
  #lastProgress = performance.now();
  #probe: ReturnType<typeof setInterval> | undefined;
  #startedAt = 0;
  #reopenDelay = MIN_REOPEN_DELAY_MS;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: Config, options: WorkerOptions = {}) {
    this.#config = config;
    this.#client = options.client ?? createClient(config);
    this.#ownsClient = options.client === undefined;
    const base = options.handler ??
      compose(logEvent, withSimulation(config.simulateLatency, config.simulateFailureRate));
    this.#handler = compose(base, withTimeout(config.handlerTimeout));
    this.#pool = new Pool(config.poolSize);
    this.#dedupe = new Dedupe(config.dedupeWindow);
    this.#subscription = this.#client.subscription(config.subscription, {
      // The lease window is larger than the pool, so the pool stays busy while acks of
      // finished events are still being flushed; it bounds what waits for a permit.
      flowControl: { maxMessages: leaseWindow(config), allowExcessMessages: false },
      batching: { maxMessages: 1000, maxMilliseconds: 10 },
    });
    this.#deadLetterTopic = this.#client.topic(config.deadLetterTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 10 },
    });
  }

  /** Resolves when the worker has stopped; rejects if the subscription failed for good. */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  get stats(): WorkerStats {
    const pool = this.#pool.stats;
    return {
      ...this.#counts,
      inFlight: pool.inFlight,
      peakInFlight: pool.peak,
      freePermits: pool.size - pool.inFlight,
      poolSize: pool.size,
      leaseWindow: leaseWindow(this.#config),
    };
  }

  /**
   * Ready: started, not stopping, the subscription open and the gRPC channel to Pub/Sub
   * connected (checked every second).
   */
  get ready(): boolean {
    return this.#started && this.#stopping === undefined && this.#connected;
  }

  /**
   * Live unless wedged: the pool has been full with no event finishing for longer than twice
   * the handler timeout (which should be impossible, since timeouts release permits).
   */
  get live(): boolean {
    const { inFlight, size } = this.#pool.stats;
    const limit = 2 * (this.#config.handlerTimeout || 60_000);
    return inFlight < size || performance.now() - this.#lastProgress < limit;
  }

  /** Calls `listener` for each delivery as it arrives. */
  onReceive(listener: () => void): void {
    this.#receiveListeners.push(listener);
  }

  /** Calls `listener` after each delivery's outcome was carried out. */
  onOutcome(listener: (record: OutcomeRecord) => void): void {
    this.#listeners.push(listener);
  }

  /** Opens the subscription and starts handling events. */
  start(): void {
    const c = this.#config;
    log.info(
      "Worker consuming {subscription} on {target} with pool {poolSize}, lease window {leaseWindow}",
      {
        subscription: c.subscription,
        target: describeTarget(c),
        poolSize: c.poolSize,
        leaseWindow: leaseWindow(c),
      },
    );
    this.#started = true;
    this.#startedAt = performance.now();
    this.#probe = setInterval(() => void this.#checkConnection(), 1000);
    void this.#checkConnection();
    this.#subscription.on("message", (message: Message) => this.#onMessage(message));
    this.#subscription.on("error", (error: Error & { code?: number }) => {
      log.error("Subscription error on {subscription}: {error}", {
        subscription: c.subscription,
        error,
        code: error.code,
      });
    });
    this.#subscription.on("debug", (message: { message: string }) => {
      log.debug("Pub/Sub client: {detail}", { detail: message.message });
    });
    this.#subscription.on("close", () => this.#onClose());
  }

  /**
   * The subscription closed without being asked to (a non-retryable stream error). During
   * start-up that is fatal: the subscription is missing or not ours to consume. After the worker
   * has worked, it is an outage: reopen with backoff (1 s doubling to 30 s), not ready meanwhile.
   */
  #onClose(): void {
    this.#connected = false;
    if (this.#stopping) return;
    const c = this.#config;
    const startingUp = this.#counts.received === 0 &&
      performance.now() - this.#startedAt < STARTUP_GRACE_MS;
    if (startingUp) {
      const error = new Error(
        `the subscription ${c.subscription} closed and will not reopen (does it exist? run ` +
          "`event-tool setup`; is the worker allowed to consume it?)",
      );
      this.#done.reject(error);
      void this.stop();
      return;
    }
    const delay = this.#reopenDelay;
    this.#reopenDelay = Math.min(delay * 2, MAX_REOPEN_DELAY_MS);
    log.warning("Subscription {subscription} closed; reopening in {delayMs}ms", {
      subscription: c.subscription,
      delayMs: delay,
    });
    this.#reopenTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.#subscription.open();
      void this.#checkConnection();
    }, delay);
  }

  /**
   * Stops pulling, lets events in flight finish within the shutdown timeout (they are acked),
   * nacks what is left, and closes the client. Safe to call more than once.
   */
  stop(): Promise<StopReport> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  /** Asks the gRPC channel the client uses whether it is connected (connecting it if idle). */
  async #checkConnection(): Promise<void> {
    const was = this.#connected;
    try {
      this.#connected = this.#subscription.isOpen && await channelReady(this.#client);
    } catch (error) {
      this.#connected = false;
      log.debug("Connection check failed: {error}", { error });
    }
    if (was !== this.#connected && this.#stopping === undefined) {
      const text = this.#connected ? "Connected to Pub/Sub" : "Not connected to Pub/Sub";
      if (this.#connected) log.info(text);
      else log.warning(`${text}; the client keeps retrying with backoff`);
    }
  }

  async #shutdown(): Promise<StopReport> {
    clearInterval(this.#probe);
    clearTimeout(this.#reopenTimer);
    const { inFlight, waiting } = this.#pool.stats;
    log.info("Stopping: {inFlight} events in flight, {waiting} waiting for a permit", {
      inFlight,
      waiting,
    });
    this.#pool.close();
    const drained = await this.#pool.drain(AbortSignal.timeout(this.#config.shutdownTimeout));
    if (!drained) {
      log.warning("Shutdown timeout: {inFlight} events still in flight are nacked", {
        inFlight: this.#pool.stats.inFlight,
      });
      this.#abort.abort(new Error("the worker is shutting down"));
    }
    // Closing nacks whatever is still leased and flushes the queued acks and nacks.
    await this.#subscription.close();
    if (this.#ownsClient) await this.#client.close();
    log.info("Worker stopped: {acked} acked, {nacked} nacked, {deadLettered} dead-lettered", {
      ...this.#counts,
    });
    this.#done.resolve();
    return { drained };
  }

  #onMessage(message: Message): void {
    this.#counts.received++;
    this.#reopenDelay = MIN_REOPEN_DELAY_MS;
    for (const listener of this.#receiveListeners) listener();
    const started = performance.now();
    this.#pool.run(() => this.#handle(message, started)).catch((error: unknown) => {
      message.nack();
      const closed = error instanceof PoolClosedError;
      if (!closed) log.error("Unexpected failure handling {messageId}: {error}", { error });
      this.#record(message, started, undefined, "nacked", {
        reason: closed ? "shutting-down" : "internal-error",
        detail: error instanceof Error ? error.message : String(error),
      });
    });
  }

  #handle(message: Message, started: number): Promise<void> {
    const attributes = {
      "messaging.system": "gcp_pubsub",
      "messaging.destination.subscription.name": this.#config.subscription,
      "messaging.message.id": message.id,
      "messaging.gcp_pubsub.message.delivery_attempt": message.deliveryAttempt,
    };
    return inSpan("event-tool process", attributes, async (span) => {
      const outcome = await this.#decide(message);
      span?.setAttribute("event_tool.outcome", outcome.action);
      if (outcome.event) span?.setAttribute("event_tool.event_id", outcome.event.eventID);
      await this.#carryOut(message, started, outcome);
    });
  }

  #decide(message: Message): Promise<Outcome> {
    return processDelivery(
      { messageId: message.id, data: message.data, deliveryAttempt: message.deliveryAttempt },
      this.#handler,
      {
        maxDeliveryAttempts: this.#config.maxDeliveryAttempts,
        maxPayloadBytes: this.#config.maxPayload,
        signal: this.#abort.signal,
        dedupe: this.#dedupe,
      },
    );
  }

  async #carryOut(message: Message, started: number, outcome: Outcome): Promise<void> {
    const eventID = outcome.event?.eventID;
    if (outcome.action === "duplicate") {
      message.ack();
      this.#record(message, started, eventID, "duplicate", { reason: "already-handled" });
    } else if (outcome.action === "ack") {
      message.ack();
      this.#record(message, started, eventID, "acked", { handlerMs: round(outcome.handlerMs) });
    } else if (outcome.action === "nack") {
      message.nack();
      this.#record(message, started, eventID, "nacked", {
        reason: outcome.reason,
        detail: outcome.error.message,
        handlerMs: round(outcome.handlerMs),
      });
    } else {
      await this.#deadLetter(message, started, outcome);
    }
  }

  async #deadLetter(
    message: Message,
    started: number,
    outcome: Extract<Outcome, { action: "dead-letter" }>,
  ): Promise<void> {
    const eventID = outcome.event?.eventID;
    try {
      await this.#deadLetterTopic.publishMessage({
        data: message.data,
        attributes: deadLetterAttributes(message, {
          reason: outcome.reason,
          detail: outcome.detail,
          subscription: this.#config.subscription,
        }),
      });
    } catch (error) {
      // Not on the dead-letter topic, so not acked: Pub/Sub will deliver it again.
      message.nack();
      this.#record(message, started, eventID, "nacked", {
        reason: "dead-letter-publish-failed",
        detail: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    message.ack();
    this.#record(message, started, eventID, "dead-lettered", {
      reason: outcome.reason,
      detail: outcome.detail,
      ...(outcome.handlerMs === undefined ? {} : { handlerMs: round(outcome.handlerMs) }),
    });
  }

  #record(
    message: Message,
    started: number,
    eventID: string | undefined,
    outcome: OutcomeRecord["outcome"],
    why: OutcomeReason,
  ): void {
    const record = outcomeRecord(message, started, eventID, outcome, why);
    this.#lastProgress = performance.now();
    if (outcome === "acked") this.#counts.acked++;
    else if (outcome === "duplicate") this.#counts.duplicates++;
    else if (outcome === "nacked") this.#counts.nacked++;
    else this.#counts.deadLettered++;
    logOutcome(record);
    for (const listener of this.#listeners) listener(record);
  }
}
