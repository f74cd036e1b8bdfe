/**
 * The worker: pulls from the subscription through a bounded lease window, runs each delivery
 * through the pipeline inside the pool, and carries out the outcome. This is the one place that
 * acks, nacks and dead-letters. An event is acked only after it was handled, or after its copy
 * reached the dead-letter topic; anything else is nacked, so nothing is lost.
 */
import type { Message, PubSub, Subscription, Topic } from "@google-cloud/pubsub";
import { type Config, leaseWindow } from "./config.ts";
import { compose, type Handler, logEvent, withSimulation, withTimeout } from "./handler.ts";
import { peekEventID } from "./event.ts";
import { logger } from "./log.ts";
import { type Outcome, processDelivery } from "./pipeline.ts";
import { Pool, PoolClosedError } from "./pool.ts";
import { createClient, describeTarget } from "./pubsub.ts";

/** How one delivery ended, as logged and counted. */
export interface OutcomeRecord {
  outcome: "acked" | "nacked" | "dead-lettered";
  /** The event's ID; `null` when the payload has none. */
  eventID: string | null;
  messageId: string;
  deliveryAttempt: number;
  durationMs: number;
  /** Dead-letter reason, or why the event was nacked. */
  reason?: string;
  detail?: string;
}

/** Counters since the worker started. */
export interface WorkerStats {
  received: number;
  acked: number;
  nacked: number;
  deadLettered: number;
  inFlight: number;
  peakInFlight: number;
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
const MAX_ATTRIBUTE_BYTES = 1024;

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
  readonly #counts = { received: 0, acked: 0, nacked: 0, deadLettered: 0 };
  readonly #done = Promise.withResolvers<void>();
  #stopping: Promise<StopReport> | undefined;

  constructor(config: Config, options: WorkerOptions = {}) {
    this.#config = config;
    this.#client = options.client ?? createClient(config);
    this.#ownsClient = options.client === undefined;
    const base = options.handler ??
      compose(logEvent, withSimulation(config.simulateLatency, config.simulateFailureRate));
    this.#handler = compose(base, withTimeout(config.handlerTimeout));
    this.#pool = new Pool(config.poolSize);
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
    return { ...this.#counts, inFlight: pool.inFlight, peakInFlight: pool.peak };
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
    this.#subscription.on("close", () => {
      if (this.#stopping) return;
      const error = new Error(
        `the subscription ${c.subscription} closed and will not reopen (does it exist? run ` +
          "`event-tool setup`; is the worker allowed to consume it?)",
      );
      this.#done.reject(error);
      void this.stop();
    });
  }

  /**
   * Stops pulling, lets events in flight finish within the shutdown timeout (they are acked),
   * nacks what is left, and closes the client. Safe to call more than once.
   */
  stop(): Promise<StopReport> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<StopReport> {
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

  async #handle(message: Message, started: number): Promise<void> {
    const outcome = await processDelivery(
      { messageId: message.id, data: message.data, deliveryAttempt: message.deliveryAttempt },
      this.#handler,
      { maxDeliveryAttempts: this.#config.maxDeliveryAttempts, signal: this.#abort.signal },
    );
    const eventID = outcome.event?.eventID;
    if (outcome.action === "ack") {
      message.ack();
      this.#record(message, started, eventID, "acked", {});
    } else if (outcome.action === "nack") {
      message.nack();
      this.#record(message, started, eventID, "nacked", {
        reason: "handler-failed",
        detail: outcome.error.message,
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
        attributes: {
          ...message.attributes,
          reason: outcome.reason,
          detail: truncate(outcome.detail),
          messageId: message.id,
          subscription: this.#config.subscription,
          deliveryAttempt: String(message.deliveryAttempt),
        },
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
    });
  }

  #record(
    message: Message,
    started: number,
    eventID: string | undefined,
    outcome: OutcomeRecord["outcome"],
    why: { reason?: string; detail?: string },
  ): void {
    const record: OutcomeRecord = {
      outcome,
      eventID: eventID ?? peekEventID(message.data) ?? null,
      messageId: message.id,
      deliveryAttempt: message.deliveryAttempt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...why,
    };
    if (outcome === "acked") this.#counts.acked++;
    else if (outcome === "nacked") this.#counts.nacked++;
    else this.#counts.deadLettered++;
    const text = "Event {eventID} {outcome} in {durationMs}ms (message {messageId}, attempt " +
      "{deliveryAttempt})" + (why.reason ? ": {reason}" : "");
    if (outcome === "acked") log.info(text, { ...record });
    else log.warning(text, { ...record });
    for (const listener of this.#listeners) listener(record);
  }
}

function truncate(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_ATTRIBUTE_BYTES) return text;
  return new TextDecoder().decode(bytes.subarray(0, MAX_ATTRIBUTE_BYTES - 3)).replace(
    /\uFFFD$/,
    "",
  ) +
    "...";
}
