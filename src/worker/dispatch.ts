/**
 * From a received message to a running handler: its key (the message's ordering key, or
 * `--key-from`) decides whether it waits behind its key's earlier events (key_scheduler.ts), the pool
 * decides when it runs, and a failed run that retry.ts keeps in place runs again after its
 * backoff, holding its key but no permit meanwhile. A message the pool refuses (stopping) or that
 * fails unexpectedly is nacked here; everything else is settled by deliver.ts.
 */
import type { Config } from "../config/settings.ts";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import { logger } from "../telemetry/log.ts";
import { deliver, type DeliverContext, type RunEnd } from "./deliver.ts";
import { type KeyedEnd, KeyScheduler, type KeyStats } from "./key_scheduler.ts";
import { Pool, PoolClosedError } from "./pool.ts";
import { FailedRuns, type RetryPolicy, retryPolicy } from "./retry.ts";
import { describeStuck } from "./stuck.ts";

const log = logger("worker");

/** Reads an event's key as `config` says; undefined: not keyed. */
export function keyReader(
  config: Pick<Config, "keyFrom">,
): (message: ReceivedMessage) => string | undefined {
  const source = config.keyFrom;
  if (source === undefined) return (message) => message.orderingKey || undefined;
  if (source.from === "attribute") return (message) => message.attributes[source.name] || undefined;
  const decoder = new TextDecoder();
  return (message) => {
    try {
      const value = (JSON.parse(decoder.decode(message.data)) as Record<string, unknown>)?.[
        source.name
      ];
      return value === undefined || value === null || value === "" ? undefined : String(value);
    } catch {
      return undefined; // not JSON: the pipeline dead-letters it
    }
  };
}

/** A failed run waiting for its retry in place. */
interface Pending {
  timer: ReturnType<typeof setTimeout>;
  resume(go: boolean): void;
}

const IGNORE = () => {};

/** A message's key goes on only after it comes back this long after Pub/Sub's longest backoff. */
const COME_BACK_MS = 60_000;

/** What the dispatcher reads of the configuration. */
export type DispatchConfig = Pick<
  Config,
  | "poolSize"
  | "keyFrom"
  | "keyConcurrency"
  | "keyRetries"
  | "retryMinBackoff"
  | "retryMaxBackoff"
  | "handlerTimeout"
  | "maxLease"
  | "redact"
  | "redactKey"
>;

/** Dispatches the messages of one worker. */
export class Dispatcher {
  readonly pool: Pool;
  /** Retries in place: the start-up checks put the subscription's retry policy in it. */
  readonly retry: RetryPolicy;
  readonly #config: DispatchConfig;
  readonly #keys: KeyScheduler;
  readonly #keyOf: (message: ReceivedMessage) => string | undefined;
  readonly #context: DeliverContext;
  readonly #pending = new Set<Pending>();
  #closed = false;

  /** Dispatches with `context` (this adds the retry policy and the failed-run memory). */
  constructor(config: DispatchConfig, context: Omit<DeliverContext, "failures" | "retry">) {
    this.pool = new Pool(config.poolSize);
    this.#config = config;
    this.retry = retryPolicy(config);
    this.#context = { ...context, failures: new FailedRuns(), retry: this.retry };
    this.#keyOf = keyReader(config);
    this.#keys = new KeyScheduler({
      concurrency: config.keyConcurrency,
      // A message given back comes again within the retry policy's longest backoff.
      blockMs: () => this.retry.maxBackoffMs + COME_BACK_MS,
      giveBack: config.keyFrom === undefined,
      run: (message, key, ended) => this.#run(message, key, ended),
      release: (message, why, key) =>
        context.settler.abandon(
          message,
          why,
          new Error(
            why === "key-failed"
              ? "an earlier event of its key went back to Pub/Sub: given back to keep the " +
                "key's order (Pub/Sub delivers the key again from that event on)"
              : "the worker stopped while it waited for its key",
          ),
          key,
        ),
    });
  }

  /** Keys in flight, events waiting for their key, retries in place, a stuck key. */
  get keyStats(): KeyStats {
    const stuck = this.stuck();
    const retriesInPlace = this.retriesInPlace;
    return { ...this.#keys.stats, retriesInPlace, ...(stuck === undefined ? {} : { stuck }) };
  }

  /** Failed runs kept to be tried again in place since start (cheap: a counter). */
  get retriesInPlace(): number {
    return this.#context.failures.retriesInPlace;
  }

  /** A key that has run one event past `--max-lease` (its lease given back), in words. */
  stuck(): string | undefined {
    return describeStuck(this.#config, this.#keys.stuck(this.#config.maxLease));
  }

  /** Runs `message`: at once, or after its key's earlier events. */
  dispatch(message: ReceivedMessage): void {
    const key = this.#keyOf(message);
    if (key === undefined) this.#run(message, undefined, IGNORE);
    else this.#keys.submit(key, message);
  }

  /** Stops: nothing new starts; waiters for a permit, a key or a retry are nacked now. */
  close(): void {
    this.#closed = true;
    this.pool.close();
    this.#keys.close();
    for (const pending of this.#pending) {
      clearTimeout(pending.timer);
      pending.resume(false);
    }
    this.#pending.clear();
  }

  /**
   * Runs `message` until it is settled: once in a pool permit, and again in place while
   * deliver.ts says so; tells `ended` how it ended, once.
   */
  #run(
    message: ReceivedMessage,
    key: string | undefined,
    ended: (end: KeyedEnd) => void,
    retries = 0,
  ): void {
    const run = {
      key,
      retries,
      ended: (end: RunEnd) => {
        if (typeof end === "string") ended(end);
        else this.#later(message, key, ended, retries, end.retryInMs);
      },
    };
    this.pool.run(() => deliver(message, this.#context, run)).catch(
      (error: unknown) => {
        const closed = error instanceof PoolClosedError;
        if (!closed) log.error("Unexpected failure handling a message: {error}", { error });
        this.#context.settler.abandon(
          message,
          closed ? "shutting-down" : "internal-error",
          error,
          key,
        );
        ended("nacked");
      },
    );
  }

  /** Runs `message` again after `ms`, held beyond the lease window meanwhile (as events waiting
   * for their key are); gives it back at once when the dispatcher closes first. */
  #later(
    message: ReceivedMessage,
    key: string | undefined,
    ended: (end: KeyedEnd) => void,
    retries: number,
    ms: number,
  ): void {
    const resume = (go: boolean) => {
      message.wait(false);
      if (go) return this.#run(message, key, ended, retries + 1);
      this.#context.settler.abandon(
        message,
        "shutting-down",
        new Error("the worker stopped while the event waited to be tried again in place"),
        key,
      );
      ended("nacked");
    };
    if (this.#closed) return resume(false);
    message.wait(true);
    if (ms <= 0) return resume(true);
    const pending: Pending = {
      timer: setTimeout(() => {
        this.#pending.delete(pending);
        resume(true);
      }, ms),
      resume,
    };
    this.#pending.add(pending);
  }
}
