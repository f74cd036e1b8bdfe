/**
 * What a `Worker` needs, as a library user gives it: {@linkcode WorkerOptions}. Each option that
 * is a setting of the CLI has the setting's name and default (tests/worker/options_test.ts holds
 * every `@default` below to the settings table); {@linkcode workerSettings} fills them in. The CLI
 * builds these options from its configuration in one place, cli_options.ts.
 *
 * @module
 */
import type { PubSub } from "@google-cloud/pubsub";
import { defaults, resolveTarget } from "../config/resolve.ts";
import { type Config, type KeySource, POOL, TARGET } from "../config/settings.ts";
import type { EventContract } from "../event/contract.ts";
import type { Handler } from "./handler.ts";

/**
 * Options for `Worker`; every one is optional. Durations are milliseconds, sizes bytes.
 * Names and defaults are those of the CLI's settings (`--pool-size` is `poolSize`), listed in
 * docs/configuration.md.
 */
export interface WorkerOptions {
  /**
   * The event handler, without timeout (the worker adds `handlerTimeout`). Default: the
   * built-in handler, which logs each event.
   */
  handler?: Handler;
  /**
   * What a valid event is (`loadContract()` reads a JSON Schema). Default: the built-in
   * `PaymentMethodCreated` contract.
   */
  contract?: EventContract;
  /**
   * A Pub/Sub client to use instead of one of the worker's own; the worker does not close it.
   * Hidden from the docs: `PubSub`'s type is the npm package's, not part of this API.
   * @ignore
   */
  client?: PubSub;
  /**
   * The Google Cloud project. Default: as the CLI finds it, from `PUBSUB_PROJECT_ID`; else with
   * the emulator `local-project`, on Google Cloud `GOOGLE_CLOUD_PROJECT`, `GCLOUD_PROJECT` or the
   * credentials' project.
   */
  project?: string | undefined;
  /**
   * The emulator's `host:port`; unset, Google Cloud with Application Default Credentials.
   * Default: `PUBSUB_EMULATOR_HOST` when it is set.
   */
  emulatorHost?: string | undefined;
  /**
   * The subscription to consume.
   * @default {"payment-method-created-subscription"}
   */
  subscription?: string;
  /**
   * Where events that can never succeed are published, with their reason.
   * @default {"payment-method-created-dead-letter-topic"}
   */
  deadLetterTopic?: string;
  /**
   * Deliveries before an event is dead-lettered, when the subscription has no dead-letter policy
   * (the policy's value wins: the worker reads it at start).
   * @default {5}
   */
  maxDeliveryAttempts?: number;
  /**
   * Handler calls at once.
   * @default {1000}
   */
  poolSize?: number;
  /**
   * Streaming pulls at most (one per 20 messages of the lease window).
   * @default {10}
   */
  streams?: number;
  /**
   * Messages held from Pub/Sub at once (at least `poolSize`). Default: adapts to handler time,
   * from `poolSize + 1` to `max(2 × poolSize, poolSize + 200)`.
   */
  maxOutstanding?: number | undefined;
  /**
   * The longest a message's lease is extended; then it is nacked.
   * @default {3600000} (60 minutes)
   */
  maxLease?: number;
  /**
   * How acks and nacks leave: on the streaming pulls, or as Acknowledge calls.
   * @default {"stream"}
   */
  ackVia?: "stream" | "rpc";
  /**
   * Where an event's key comes from (per-key order without Pub/Sub ordering). Default: the
   * message's ordering key.
   */
  keyFrom?: KeySource | undefined;
  /**
   * Events of one key handled at once.
   * @default {1}
   */
  keyConcurrency?: number;
  /**
   * Tries in place of a failed keyed event (its key's later events wait) before it goes back to
   * Pub/Sub.
   * @default {3}
   */
  keyRetries?: number;
  /**
   * Events held beyond the lease window while they wait for their key.
   * @default {10000}
   */
  maxWaiting?: number;
  /**
   * Handler starts per second across all streams. Default: no limit.
   */
  rateLimit?: number | undefined;
  /**
   * Slow every handler start down when a handler is throttled (a `RetryableError` with status 429
   * or 503), then recover; on whenever `rateLimit` is set (the CLI also turns it on with
   * `--handler-url`).
   * @default {false}
   */
  adaptivePace?: boolean;
  /**
   * Larger events are dead-lettered (`too-large`) unparsed.
   * @default {65536}
   */
  maxPayload?: number;
  /**
   * Event IDs remembered to ack a redelivery without handling it again (0: off).
   * @default {10000}
   */
  dedupeWindow?: number;
  /**
   * How long a handled event ID makes a redelivered copy a duplicate (a replay older than this is
   * handled again).
   * @default {120000} (2 minutes)
   */
  dedupeFor?: number;
  /**
   * A handler call running longer fails and its event is nacked (0: no limit).
   * @default {30000}
   */
  handlerTimeout?: number;
  /**
   * HTTP statuses that, beside 401, 403, 404 and 407, mean the service refuses the worker rather
   * than the event: the call is tried again in place, never dead-lettered for it.
   * @default {[]}
   */
  retryOn?: number[];
  /**
   * How long every call may be refused (see `retryOn`) before pulling pauses until the handler
   * accepts a call again.
   * @default {60000} (1 minute)
   */
  pauseAfter?: number;
  /**
   * On `stop()`, how long events in flight may take to finish.
   * @default {30000}
   */
  shutdownTimeout?: number;
  /**
   * How long the worker waits for Pub/Sub at start before it opens the stream anyway (and warns).
   * @default {10000}
   */
  connectTimeout?: number;
  /**
   * The subscription's shortest retry backoff: the first wait of a retry in place after the
   * immediate one (the worker reads the subscription's own value at start when it can).
   * @default {10000} (10 seconds)
   */
  retryMinBackoff?: number;
  /**
   * The subscription's longest retry backoff: a key whose event failed holds its later events for
   * this long plus a minute, waiting for the redelivery.
   * @default {600000} (10 minutes)
   */
  retryMaxBackoff?: number;
  /**
   * Hash event keys where the worker names them outside the log (`/healthz`), as the CLI's
   * `--redact` does in its log.
   * @default {false}
   */
  redact?: boolean;
  /**
   * The HMAC key of those hashes. Default: none (plain SHA-256).
   */
  redactKey?: string | undefined;
  /**
   * Trace the client's calls with OpenTelemetry.
   * @default {false}
   */
  otel?: boolean;
}

/** The options of {@linkcode WorkerOptions} that are settings of the CLI, by their setting name. */
export const WORKER_SETTINGS = [
  ...TARGET,
  "subscription",
  "deadLetterTopic",
  "maxDeliveryAttempts",
  ...POOL, // a setting added there is one the worker reads: it needs its option here
  "maxPayload",
  "dedupeWindow",
  "dedupeFor",
  "handlerTimeout",
  "retryOn",
  "pauseAfter",
  "shutdownTimeout",
  "connectTimeout",
  "retryMinBackoff",
  "retryMaxBackoff",
  "redact",
  "redactKey",
  "otel",
] as const satisfies readonly (keyof WorkerOptions)[];

/** The settings a worker runs with: every one filled in. */
export type WorkerSettings = Pick<Config, typeof WORKER_SETTINGS[number]>;

/**
 * `options` with a value for every setting: the settings table's default where none was given,
 * and the project and emulator as the CLI resolves them from the environment.
 */
export function workerSettings(options: WorkerOptions): WorkerSettings {
  const given: Partial<WorkerSettings> = options; // each option has its setting's type
  const table = defaults();
  const settings = {} as Record<string, unknown>;
  for (const key of WORKER_SETTINGS) settings[key] = given[key] ?? table[key];
  return { ...settings as WorkerSettings, ...resolveTarget(options) };
}
