/**
 * From a received message to a running handler: its key (the message's ordering key, or
 * `--key-from`) decides whether it waits behind its key's earlier events (keys.ts), and the pool
 * decides when it runs. A message the pool refuses (stopping) or that fails unexpectedly is nacked
 * here; everything else is settled by deliver.ts.
 */
import type { Config } from "../config/settings.ts";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import { logger } from "../telemetry/log.ts";
import { deliver, type DeliverContext } from "./deliver.ts";
import { type KeyedEnd, KeyScheduler, type KeyStats } from "./keys.ts";
import { Pool, PoolClosedError } from "./pool.ts";

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

/** Dispatches the messages of one worker. */
export class Dispatcher {
  readonly pool: Pool;
  readonly #keys: KeyScheduler;
  readonly #keyOf: (message: ReceivedMessage) => string | undefined;
  readonly #context: DeliverContext;

  constructor(
    config: Pick<Config, "poolSize" | "keyFrom" | "keyConcurrency" | "retryMaxBackoff">,
    context: DeliverContext,
  ) {
    this.pool = new Pool(config.poolSize);
    this.#context = context;
    this.#keyOf = keyReader(config);
    this.#keys = new KeyScheduler({
      concurrency: config.keyConcurrency,
      // The failed message comes back within the retry policy's longest backoff.
      blockMs: config.retryMaxBackoff + 60_000,
      run: (message) => this.#run(message),
      release: (message, why) =>
        context.settler.abandon(
          message,
          why,
          new Error(
            why === "key-failed"
              ? "an earlier event of its key was nacked: given back to keep the key's order"
              : "the worker stopped while it waited for its key",
          ),
        ),
    });
  }

  /** Keys in flight and events waiting for their key. */
  get keyStats(): KeyStats {
    return this.#keys.stats;
  }

  /** Runs `message`: at once, or after its key's earlier events. */
  dispatch(message: ReceivedMessage): void {
    const key = this.#keyOf(message);
    if (key === undefined) void this.#run(message);
    else this.#keys.submit(key, message);
  }

  /** Stops: nothing new starts; waiters for a permit or a key are nacked now. */
  close(): void {
    this.pool.close();
    this.#keys.close();
  }

  #run(message: ReceivedMessage): Promise<KeyedEnd> {
    return this.pool.run(() => deliver(message, this.#context)).catch(
      (error: unknown) => {
        const closed = error instanceof PoolClosedError;
        if (!closed) log.error("Unexpected failure handling a message: {error}", { error });
        this.#context.settler.abandon(
          message,
          closed ? "shutting-down" : "internal-error",
          error,
        );
        return "nacked";
      },
    );
  }
}
