/**
 * Every setting of event-tool, defined once: its flag, its environment variable, its default,
 * its parser and its help text. The CLI, the docs, docker-compose.yml, terraform and the tests
 * all read names and defaults from here (resolve.ts turns raw values into a {@linkcode Config},
 * env.ts turns a Config back into variables). A flag always wins over its variable.
 */
import * as parse from "./parse.ts";
import * as net from "./parse_net.ts";
import { WORKER_HEAP_MB } from "./permissions.ts";
import type { Parser } from "./parse.ts";

/** Heap bytes one remembered event ID costs (measured: ~82 for a UUID in a Set, rounded up). */
const DEDUPE_ID_BYTES = 100;
/** The largest dedupe window that fits in a quarter of the worker's heap cap. */
export const DEDUPE_MAX = Math.floor((WORKER_HEAP_MB * 1024 * 1024) / 4 / DEDUPE_ID_BYTES);

/** Dead letters `dead-letters peek` shows without --limit. */
export const PEEK_SHOWN = 10;

/** The project the emulator uses unless told otherwise. */
export const EMULATOR_PROJECT = "local-project";
/** Google's standard variables naming the project, read (in this order) when --project and
 * PUBSUB_PROJECT_ID are unset and the target is Google Cloud. */
export const PROJECT_VARIABLES = ["GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"] as const;

/** Log formats: JSON Lines for machines, coloured lines for people. */
export const LOG_FORMATS = ["json", "pretty"] as const;
/** Where an event's key comes from (`--key-from`). */
export type KeySource = { from: "attribute" | "field"; name: string };

/** How acks leave the worker (src/pubsub/subscriber/ack_batcher.ts uses the same names). */
export const ACK_TRANSPORTS = ["stream", "rpc"] as const;
/** Log levels, lowest first (LogTape's names). */
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"] as const;

/** One setting: flag name (camelCase key is derived by commander), variable, default, parser. */
export interface Setting<T> {
  /** Long flag without value placeholder, e.g. `--pool-size`. */
  readonly flag: string;
  /** Environment variable, e.g. `WORKER_POOL_SIZE`. */
  readonly env: string;
  /** Default as the user would type it; `undefined` when the default is derived or absent. */
  readonly default: string | undefined;
  /** What the default means when it is derived (for help and README). */
  readonly defaultNote?: string;
  /** A switch: the flag takes no value (`--redact`); the variable takes true or false. */
  readonly switch?: true;
  /** The value is a secret (a token, a key): errors never quote it. */
  readonly secret?: true;
  /** The value may carry credentials (`user:password@`, a token in a query): errors quote it
   * without them (`withoutCredentials`). */
  readonly credentials?: true;
  /** The flag may be given more than once; the values are joined by newlines (as in the
   * variable, which takes one value per line). */
  readonly repeatable?: true;
  /** The placeholder in help, e.g. `<url>`. Default `<value>`. */
  readonly placeholder?: string;
  /** One line of help. */
  readonly description: string;
  /** Turns the raw text into the value, or throws a ParseError saying the form expected. */
  readonly parse: Parser<T>;
  /** The value back as text `parse` accepts (for a child process's environment); default
   * `String(value)`. */
  readonly format?: (value: Exclude<T, undefined>) => string;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** Milliseconds as a duration `parse.duration` reads back exactly. */
const ms = (value: number) => `${value}ms`;

/** The settings table. Keys are the camelCase form of each flag. */
export const SETTINGS = {
  project: setting<string | undefined>({
    flag: "--project",
    env: "PUBSUB_PROJECT_ID",
    default: undefined,
    defaultNote: `${EMULATOR_PROJECT} with the emulator; on Google Cloud ` +
      `${PROJECT_VARIABLES.join(" or ")}, else the credentials' project`,
    placeholder: "<project-id>",
    description: "Google Cloud project that holds the topics and subscriptions",
    parse: parse.projectId,
  }),
  emulatorHost: setting<string | undefined>({
    flag: "--emulator-host",
    env: "PUBSUB_EMULATOR_HOST",
    default: undefined,
    defaultNote: "unset: real Pub/Sub with Application Default Credentials",
    placeholder: "<host:port>",
    credentials: true,
    description: "Pub/Sub emulator address (host:port); an empty value means unset",
    parse: (raw) => raw.trim() === "" ? undefined : net.hostPort(raw),
  }),
  connectTimeout: setting({
    flag: "--connect-timeout",
    env: "PUBSUB_CONNECT_TIMEOUT",
    default: "10s",
    description:
      "give up (setup, publish) or warn (worker) when Pub/Sub cannot be reached in this time",
    format: ms,
    parse: parse.duration(600_000),
  }),
  topic: setting({
    flag: "--topic",
    env: "PUBSUB_TOPIC",
    default: "payment-method-created-topic",
    placeholder: "<name>",
    description: "topic the events are published to",
    parse: parse.resourceId,
  }),
  subscription: setting({
    flag: "--subscription",
    env: "PUBSUB_SUBSCRIPTION",
    default: "payment-method-created-subscription",
    placeholder: "<name>",
    description: "subscription the worker consumes",
    parse: parse.resourceId,
  }),
  deadLetterTopic: setting({
    flag: "--dead-letter-topic",
    env: "PUBSUB_DEAD_LETTER_TOPIC",
    default: "payment-method-created-dead-letter-topic",
    placeholder: "<name>",
    description: "topic that receives events that can never succeed",
    parse: parse.resourceId,
  }),
  deadLetterSubscription: setting({
    flag: "--dead-letter-subscription",
    env: "PUBSUB_DEAD_LETTER_SUBSCRIPTION",
    default: "payment-method-created-dead-letter-subscription",
    placeholder: "<name>",
    description: "subscription on the dead-letter topic, for inspection and replay",
    parse: parse.resourceId,
  }),
  ackDeadline: setting({
    flag: "--ack-deadline",
    env: "PUBSUB_ACK_DEADLINE",
    default: "60s",
    description: "subscription ack deadline set by setup (10s to 600s)",
    format: ms,
    parse: parse.duration(600_000),
  }),
  retryMinBackoff: setting({
    flag: "--retry-min-backoff",
    env: "PUBSUB_RETRY_MIN_BACKOFF",
    default: "10s",
    description: "subscription retry policy: first redelivery delay after a nack (0s to 600s)",
    format: ms,
    parse: parse.duration(600_000),
  }),
  retryMaxBackoff: setting({
    flag: "--retry-max-backoff",
    env: "PUBSUB_RETRY_MAX_BACKOFF",
    default: "600s",
    description: "subscription retry policy: longest redelivery delay (0s to 600s)",
    format: ms,
    parse: parse.duration(600_000),
  }),
  replayWindow: setting({
    flag: "--replay-window",
    env: "PUBSUB_REPLAY_WINDOW",
    default: "168h",
    description: "set by setup: the subscription keeps acked events this long, so replay can " +
      "seek back over them (10m to 168h; 0 keeps only unacked ones)",
    format: ms,
    parse: parse.duration(168 * 3_600_000),
  }),
  maxDeliveryAttempts: setting({
    flag: "--max-delivery-attempts",
    env: "WORKER_MAX_DELIVERY_ATTEMPTS",
    default: "5",
    placeholder: "<count>",
    description: "failed handler runs before the worker dead-letters an event (max-attempts), " +
      "and the deliveries after which the subscription's dead-letter policy forwards it (5 to " +
      "100, as Pub/Sub allows)",
    parse: parse.integer(5, 100),
  }),
  poolSize: setting({
    flag: "--pool-size",
    env: "WORKER_POOL_SIZE",
    default: "1000",
    placeholder: "<count>",
    description: "events handled at once (semaphore permits)",
    parse: parse.integer(1, 100_000),
  }),
  streams: setting({
    flag: "--streams",
    env: "WORKER_STREAMS",
    default: "10",
    placeholder: "<count>",
    description: "streaming pulls the worker opens (each delivers ~1,900 events/s on the " +
      "emulator; one lease window is shared by all)",
    parse: parse.integer(1, 64),
  }),
  maxOutstanding: setting<number | undefined>({
    flag: "--max-outstanding",
    env: "WORKER_MAX_OUTSTANDING",
    default: undefined,
    defaultNote: "adaptive: pool × (1 + 30 ms / mean handler time), from pool + 1 to " +
      "max(2 × pool, pool + 200)",
    placeholder: "<count>",
    description: "lease window: events held from Pub/Sub at once (>= pool size); fixes it",
    parse: parse.integer(1, 1_000_000),
  }),
  maxLease: setting({
    flag: "--max-lease",
    env: "WORKER_MAX_LEASE",
    default: "60m",
    description: "the longest the worker extends a message's lease (running, waiting for a " +
      "permit or held for a Retry-After); then it is nacked and counted",
    format: ms,
    parse: parse.duration(24 * 3_600_000),
  }),
  ackVia: setting({
    flag: "--ack-via",
    env: "WORKER_ACK_VIA",
    default: "stream",
    placeholder: "<stream|rpc>",
    description: "how acks and nacks leave: on the streaming pulls, one write per batch (fewer " +
      "requests; docs/BENCHMARKS.md), or as Acknowledge calls",
    parse: parse.oneOf(ACK_TRANSPORTS),
  }),
  keyFrom: setting<KeySource | undefined>({
    flag: "--key-from",
    env: "WORKER_KEY_FROM",
    default: undefined,
    defaultNote: "the message's ordering key",
    placeholder: "<attribute:NAME|field:NAME>",
    description: "where an event's key comes from, for per-key order and concurrency without " +
      "Pub/Sub ordering: a message attribute or a top-level event field. The order holds within " +
      "one replica only; for order across replicas use setup --message-ordering with publish " +
      "--ordering-key",
    format: (value) => `${value.from}:${value.name}`,
    parse: parse.keySource,
  }),
  keyConcurrency: setting({
    flag: "--key-concurrency",
    env: "WORKER_KEY_CONCURRENCY",
    default: "1",
    placeholder: "<count>",
    description: "events of one key handled at once (1: one at a time, in delivery order); " +
      "events without a key are not limited",
    parse: parse.integer(1, 100_000),
  }),
  keyRetries: setting({
    flag: "--key-retries",
    env: "WORKER_KEY_RETRIES",
    default: "3",
    placeholder: "<count>",
    description: "a keyed event whose handler fails is tried again in place this many times " +
      "(at once, then after the subscription's retry backoff, or the service's Retry-After) " +
      "while its key's later events wait, before it goes back to Pub/Sub",
    parse: parse.integer(0, 100),
  }),
  maxWaiting: setting({
    flag: "--max-waiting",
    env: "WORKER_MAX_WAITING",
    default: "10000",
    placeholder: "<count>",
    description: "events held beyond the lease window while they wait for an earlier event of " +
      "their key (ordered subscriptions and --key-from only; they hold no permit, their leases " +
      "are extended)",
    parse: parse.integer(0, 1_000_000),
  }),
  rateLimit: setting<number | undefined>({
    flag: "--rate-limit",
    env: "WORKER_RATE_LIMIT",
    default: undefined,
    defaultNote: "unset: the pool is the only pace (a 429 or 503 from --handler-url still slows " +
      "the worker down)",
    placeholder: "<n>/s",
    description: "handler starts per second across all streams (token bucket), e.g. 200/s",
    format: (value) => `${value}/s`,
    parse: parse.perSecond,
  }),
  maxPayload: setting({
    flag: "--max-payload",
    env: "WORKER_MAX_PAYLOAD",
    default: "64KiB",
    placeholder: "<size>",
    description: "larger events are dead-lettered (reason too-large) without being parsed",
    parse: parse.size(10 * 1024 * 1024),
  }),
  dedupeFor: setting({
    flag: "--dedupe-for",
    env: "WORKER_DEDUPE_FOR",
    default: "2m",
    description: "a copy of an event this worker handled (or of a message it dead-lettered) less " +
      "than this long ago is acked as a duplicate (Pub/Sub redelivers a lost ack within its ack " +
      "deadline); a later copy, such as a replay's, is handled again (0: every copy is handled)",
    format: ms,
    parse: parse.duration(24 * 3_600_000),
  }),
  dedupeWindow: setting({
    flag: "--dedupe-window",
    env: "WORKER_DEDUPE_WINDOW",
    default: "10000",
    placeholder: "<count>",
    description: "event IDs remembered to ack redeliveries without handling them again " +
      `(0 disables; at most ${DEDUPE_MAX}: ~${DEDUPE_ID_BYTES} bytes each, a quarter of the ` +
      `worker's ${WORKER_HEAP_MB} MB heap)`,
    parse: parse.integer(0, DEDUPE_MAX),
  }),
  handlerTimeout: setting({
    flag: "--handler-timeout",
    env: "WORKER_HANDLER_TIMEOUT",
    default: "30s",
    description: "a handler running longer is failed and its event nacked (off: no limit; a " +
      "timed-out call keeps its pool permit until it really ends)",
    placeholder: "<duration|off>",
    format: (value) => value === 0 ? "off" : ms(value),
    parse: parse.limit(600_000),
  }),
  shutdownTimeout: setting({
    flag: "--shutdown-timeout",
    env: "WORKER_SHUTDOWN_TIMEOUT",
    default: "30s",
    description: "on SIGTERM/SIGINT, how long in-flight events may take to finish",
    format: ms,
    parse: parse.duration(3_600_000),
  }),
  schema: setting<string | undefined>({
    flag: "--schema",
    env: "EVENT_SCHEMA",
    default: undefined,
    defaultNote: "unset: the built-in PaymentMethodCreated contract " +
      "(schemas/payment_method_created.schema.json)",
    placeholder: "<file.json>",
    description: "a JSON Schema (draft 2020-12) every event must satisfy, for another event " +
      "type (worker, publish --file); an event that does not is dead-lettered invalid-event",
    parse: parse.path,
  }),
  eventType: setting<string | undefined>({
    flag: "--event-type",
    env: "EVENT_TYPE",
    default: undefined,
    defaultNote: "the schema's title; PaymentMethodCreated for the built-in contract",
    placeholder: "<name>",
    description: "the event type: CloudEvent type and eventType attribute",
    parse: parse.eventType,
  }),
  handlerUrl: setting<URL | undefined>({
    flag: "--handler-url",
    env: "WORKER_HANDLER_URL",
    default: undefined,
    defaultNote: "unset: the built-in logging handler",
    placeholder: "<url>",
    credentials: true,
    description: "POST each event to this HTTP service as a CloudEvent (docs/handlers.md)",
    format: (value) => value.href,
    parse: net.url,
  }),
  retryOn: setting<number[]>({
    flag: "--retry-on",
    env: "WORKER_HANDLER_RETRY_ON",
    default: "",
    placeholder: "<statuses>",
    description: "with --handler-url: 4xx answers that mean the service refuses the worker, not " +
      "the event, besides 401, 403, 404 and 407, e.g. 405,409: tried again in place with " +
      "backoff, never dead-lettered (docs/handlers.md)",
    format: (value) => value.join(","),
    parse: net.statuses,
  }),
  pauseAfter: setting({
    flag: "--pause-after",
    env: "WORKER_PAUSE_AFTER",
    default: "1m",
    description: "when every handler call has been refused this long (401, 403, 404, 407, " +
      "--retry-on), stop pulling and fail /readyz until a probe call is accepted (a module " +
      "lacking a permission pauses at once)",
    format: ms,
    parse: parse.duration(3_600_000),
  }),
  handlerHeader: setting<[string, string][]>({
    flag: "--handler-header",
    env: "WORKER_HANDLER_HEADERS",
    default: "",
    repeatable: true,
    secret: true,
    placeholder: "<'Name: value'>",
    description: "with --handler-url: a request header such as 'Authorization: Bearer …' " +
      "(repeatable; the variable takes one per line; values are never logged)",
    format: (value) => value.map(([name, v]) => `${name}: ${v}`).join("\n"),
    parse: net.headers,
  }),
  handler: setting<string | undefined>({
    flag: "--handler",
    env: "WORKER_HANDLER",
    default: undefined,
    defaultNote: "unset: the built-in logging handler",
    placeholder: "<path>",
    description: "a module whose default export handles each event (deno task worker; " +
      "docs/handlers.md)",
    parse: parse.path,
  }),
  simulateLatency: setting({
    flag: "--simulate-latency",
    env: "WORKER_SIMULATE_LATENCY",
    default: "0",
    description: "load testing: the default handler sleeps this long per event (on average: a " +
      "sleep may end up to 1 ms, at most a tenth of it, early, as Deno's timers count whole " +
      "milliseconds)",
    format: ms,
    parse: parse.duration(600_000),
  }),
  simulateFailureRate: setting({
    flag: "--simulate-failure-rate",
    env: "WORKER_SIMULATE_FAILURE_RATE",
    default: "0",
    placeholder: "<fraction>",
    description: "load testing: fraction of default-handler calls that fail (0 to 1)",
    parse: parse.fraction,
  }),
  metricsPort: setting({
    flag: "--metrics-port",
    env: "METRICS_PORT",
    default: "9464",
    placeholder: "<port>",
    description: "port of /metrics, /healthz and /readyz, and of the console (0 disables)",
    parse: parse.integer(0, 65_535),
  }),
  metricsHost: setting({
    flag: "--metrics-host",
    env: "METRICS_HOST",
    default: "127.0.0.1",
    placeholder: "<address>",
    description: "address /metrics, /healthz and /readyz listen on (0.0.0.0 for every " +
      "interface, as a container needs for its probes and Prometheus)",
    parse: net.host,
  }),
  summaryInterval: setting({
    flag: "--summary-interval",
    env: "WORKER_SUMMARY_INTERVAL",
    default: "10s",
    description: "how often the worker logs a one-line summary (0 disables)",
    format: ms,
    parse: parse.duration(3_600_000),
  }),
  console: setting({
    flag: "--console",
    env: "WORKER_CONSOLE",
    default: "false",
    switch: true,
    description: "serve a web console at / on the metrics port: live rates, pool and " +
      "latency, recent failed outcomes, the subscription (read-only unless --console-token)",
    parse: parse.boolean,
  }),
  consoleToken: setting<string | undefined>({
    flag: "--console-token",
    env: "WORKER_CONSOLE_TOKEN",
    default: undefined,
    defaultNote: "unset: the console is read-only",
    secret: true,
    placeholder: "<token>",
    description:
      "with --console (or `console`), allow its actions to whoever gives this token (16+ " +
      "characters; never logged; prefer the variable: a flag shows in the process list)",
    parse: parse.token,
  }),
  otel: setting({
    flag: "--otel",
    env: "EVENT_TOOL_OTEL",
    default: "false",
    switch: true,
    description: "export OpenTelemetry traces where the standard OTEL_* variables say",
    parse: parse.boolean,
  }),
  events: setting({
    flag: "--events",
    env: "BENCH_EVENTS",
    default: "20000",
    placeholder: "<count>",
    description: "bench: random events to drain (without --file)",
    parse: parse.integer(100, 10_000_000),
  }),
  targetRate: setting<number | undefined>({
    flag: "--target-rate",
    env: "BENCH_TARGET_RATE",
    default: undefined,
    defaultNote: "unset: the rate the drain reached",
    placeholder: "<per-second>",
    description: "bench: the rate (events/s) to suggest a pool size and replicas for",
    parse: parse.positive(10_000_000),
  }),
  cloud: setting({
    flag: "--cloud",
    env: "BENCH_CLOUD",
    default: "false",
    switch: true,
    description: "bench: drain on Google Cloud, in a topic and subscription of --project made " +
      "for the run and deleted after it (billed as usual), instead of on an emulator",
    parse: parse.boolean,
  }),
  json: setting({
    flag: "--json",
    env: "BENCH_JSON",
    default: "false",
    switch: true,
    description: "bench: print the results as JSON instead of a table",
    parse: parse.boolean,
  }),
  count: setting({
    flag: "--count",
    env: "PUBLISH_COUNT",
    default: "100",
    placeholder: "<count>",
    description: "number of random valid events to publish",
    parse: parse.integer(1, 100_000_000),
  }),
  file: setting<string | undefined>({
    flag: "--file",
    env: "PUBLISH_FILE",
    default: undefined,
    defaultNote: "unset: random events (publish --count, bench --events)",
    placeholder: "<path|->",
    description: "publish (or bench: drain) the NDJSON events in this file (- for stdin) " +
      "instead of random ones",
    parse: parse.path,
  }),
  orderingKey: setting<string | undefined>({
    flag: "--ordering-key",
    env: "PUBLISH_ORDERING_KEY",
    default: undefined,
    defaultNote: "unset: no ordering key",
    placeholder: "<field>",
    description: "publish: set each message's ordering key from this event field (e.g. userID), " +
      "with the publisher's message ordering on",
    parse: parse.word,
  }),
  users: setting<number | undefined>({
    flag: "--users",
    env: "PUBLISH_USERS",
    default: undefined,
    defaultNote: "unset: each random event has a user of its own",
    placeholder: "<count>",
    description: "publish: give the random events this many users (userID), in turn, so each " +
      "user has several events in publish order (with --ordering-key userID: per-key order to " +
      "watch)",
    parse: parse.integer(1, 100_000_000),
  }),
  rate: setting<number | undefined>({
    flag: "--rate",
    env: "PUBLISH_RATE",
    default: undefined,
    defaultNote: "unset: as fast as possible",
    placeholder: "<per-second>",
    description: "events per second to publish at",
    parse: parse.positive(10_000_000),
  }),
  since: setting<number | undefined>({
    flag: "--since",
    env: "REPLAY_SINCE",
    default: undefined,
    defaultNote: "unset",
    description: "replay: seek back this long, e.g. 10m (events published since then come again)",
    format: ms,
    parse: parse.duration(31 * 24 * 3_600_000),
  }),
  to: setting<Date | undefined>({
    flag: "--to",
    env: "REPLAY_TO",
    default: undefined,
    defaultNote: "unset",
    placeholder: "<time>",
    description: "replay: seek to this RFC 3339 time, e.g. 2026-11-27T09:30:00Z",
    format: (date) => date.toISOString(),
    parse: parse.timestamp,
  }),
  snapshot: setting<string | undefined>({
    flag: "--snapshot",
    env: "REPLAY_SNAPSHOT",
    default: undefined,
    defaultNote: "unset",
    placeholder: "<name>",
    description: "replay: seek to this snapshot (made by `event-tool snapshot create NAME`)",
    parse: parse.resourceId,
  }),
  limit: setting<number | undefined>({
    flag: "--limit",
    env: "DEAD_LETTERS_LIMIT",
    default: undefined,
    defaultNote: `peek shows ${PEEK_SHOWN}; requeue takes every match`,
    placeholder: "<count>",
    description: "dead-letters: at most this many events shown or requeued",
    parse: parse.integer(1, 100_000),
  }),
  reason: setting<string | undefined>({
    flag: "--reason",
    env: "DEAD_LETTERS_REASON",
    default: undefined,
    defaultNote: "unset: every reason",
    placeholder: "<reason>",
    description: "dead-letters: only events dead-lettered for this reason (rejected, " +
      "max-attempts, invalid-event, …; forwarded: by Pub/Sub's policy, without one)",
    parse: parse.word,
  }),
  eventId: setting<string | undefined>({
    flag: "--event-id",
    env: "DEAD_LETTERS_EVENT_ID",
    default: undefined,
    defaultNote: "unset: every event",
    placeholder: "<id>",
    description: "dead-letters requeue: only the event with this eventID",
    parse: parse.word,
  }),
  dryRun: setting({
    flag: "--dry-run",
    env: "DEAD_LETTERS_DRY_RUN",
    default: "false",
    switch: true,
    description: "dead-letters requeue: list what would be requeued, change nothing",
    parse: parse.boolean,
  }),
  messageOrdering: setting({
    flag: "--message-ordering",
    env: "PUBSUB_MESSAGE_ORDERING",
    default: "false",
    switch: true,
    description: "setup: create the subscription with message ordering (Pub/Sub delivers each " +
      "ordering key's messages in publish order; it cannot change on an existing subscription)",
    parse: parse.boolean,
  }),
  exactlyOnce: setting({
    flag: "--exactly-once",
    env: "PUBSUB_EXACTLY_ONCE",
    default: "false",
    switch: true,
    description: "setup: give the subscription exactly-once delivery (Pub/Sub delivers no " +
      "acked event again and answers each ack; the worker then logs an event acked only once " +
      "Pub/Sub confirmed it; --update changes an existing subscription)",
    parse: parse.boolean,
  }),
  update: setting({
    flag: "--update",
    env: "SETUP_UPDATE",
    default: "false",
    switch: true,
    description: "setup: change existing subscriptions whose settings differ from these " +
      "flags (without it, setup only prints the differences)",
    parse: parse.boolean,
  }),
  recreate: setting({
    flag: "--recreate",
    env: "SETUP_RECREATE",
    default: "false",
    switch: true,
    description: "setup: delete and create again a subscription whose settings Pub/Sub cannot " +
      "change (message ordering), only when nothing waits on it (docs/operations.md)",
    parse: parse.boolean,
  }),
  logLevel: setting({
    flag: "--log-level",
    env: "LOG_LEVEL",
    default: "info",
    placeholder: "<level>",
    description:
      "lowest level logged: trace, debug, info, warning (or warn), error, fatal; any case",
    parse: parse.logLevel(LOG_LEVELS),
  }),
  redact: setting({
    flag: "--redact",
    env: "LOG_REDACT",
    default: "false",
    switch: true,
    description: "log no personal ID or payload fragment: user and payment method IDs, " +
      "invalid event IDs and quoted text in details become short hashes",
    parse: parse.boolean,
  }),
  redactKey: setting<string | undefined>({
    flag: "--redact-key",
    env: "LOG_REDACT_KEY",
    default: undefined,
    defaultNote: "unset: plain SHA-256",
    secret: true,
    placeholder: "<key>",
    description: "with --redact, hash with HMAC-SHA256 under this key (prefer the variable: " +
      "a flag shows in the process list)",
    parse: (raw) => raw,
  }),
  logFormat: setting<typeof LOG_FORMATS[number] | undefined>({
    flag: "--log-format",
    env: "LOG_FORMAT",
    default: undefined,
    defaultNote: "pretty on a terminal, json otherwise",
    placeholder: "<json|pretty>",
    description: "log format: json (JSON Lines) or pretty",
    parse: parse.oneOf(LOG_FORMATS),
  }),
} as const;

/** The name of a setting: the camelCase form of its flag. */
export type SettingKey = keyof typeof SETTINGS;
/** The typed configuration: every setting, parsed. */
export type Config = {
  -readonly [K in SettingKey]: ReturnType<typeof SETTINGS[K]["parse"]>;
};

/** Where Pub/Sub is: what another process needs to talk to the same service. */
export const TARGET = ["project", "emulatorHost"] as const;
/** The four resource names. */
export const TOPOLOGY = [
  "topic",
  "subscription",
  "deadLetterTopic",
  "deadLetterSubscription",
] as const;
const CONNECTION = [
  ...TARGET,
  "connectTimeout",
  "logLevel",
  "logFormat",
  "redact",
  "redactKey",
  "otel",
] as const;
/** What an event is: its contract and its name. */
const CONTRACT = ["schema", "eventType"] as const;
/** How the worker pulls and paces (help shows them together, under "Pool"). */
export const POOL = [
  "poolSize",
  "streams",
  "maxOutstanding",
  "maxLease",
  "ackVia",
  "keyFrom",
  "keyConcurrency",
  "keyRetries",
  "maxWaiting",
  "rateLimit",
] as const;
const WORKER = [
  ...CONTRACT,
  "maxDeliveryAttempts",
  ...POOL,
  "maxPayload",
  "dedupeWindow",
  "dedupeFor",
  "handlerTimeout",
  "handlerUrl",
  "handlerHeader",
  "retryOn",
  "pauseAfter",
  "handler",
  "shutdownTimeout",
  "simulateLatency",
  "simulateFailureRate",
] as const;
const OPERATIONS = [
  "metricsPort",
  "metricsHost",
  "summaryInterval",
  "console",
  "consoleToken",
] as const;
export const SETUP = [
  "ackDeadline",
  "retryMinBackoff",
  "retryMaxBackoff",
  "maxDeliveryAttempts",
  "replayWindow",
  "messageOrdering",
  "exactlyOnce",
] as const;

/** Which settings each command takes (its flags, and the variables it reads). */
export const COMMAND_SETTINGS = {
  setup: [...CONNECTION, ...TOPOLOGY, ...SETUP, "update", "recreate"],
  publish: [...CONNECTION, ...CONTRACT, "topic", "count", "file", "rate", "orderingKey", "users"],
  // The subscription settings too: the console shows drift from them, as `status` does.
  worker: [...CONNECTION, ...TOPOLOGY, ...WORKER, ...OPERATIONS, ...SETUP],
  demo: [...CONNECTION, ...TOPOLOGY, ...SETUP, ...WORKER, "count"],
  replay: [...CONNECTION, "subscription", "since", "to", "snapshot"],
  snapshot: [...CONNECTION, "subscription"],
  status: [...CONNECTION, ...TOPOLOGY, ...SETUP],
  "dead-letters": [...CONNECTION, ...TOPOLOGY, "limit", "reason", "eventId", "dryRun"],
  // The subscription settings too: the Subscription tab shows drift from them.
  console: [...CONNECTION, ...TOPOLOGY, "metricsPort", "metricsHost", "consoleToken", ...SETUP],
  // The worker as `worker` runs it, on a topology made for the run (with the subscription
  // settings of setup), and what to drain.
  bench: [
    ...CONNECTION,
    ...WORKER,
    ...SETUP,
    "events",
    "file",
    "targetRate",
    "cloud",
    "json",
  ],
} as const satisfies Record<string, readonly SettingKey[]>;
export type CommandName = keyof typeof COMMAND_SETTINGS;

/** How a setting is named in messages: `--pool-size/WORKER_POOL_SIZE`. */
export function nameOf(key: SettingKey): string {
  return `${SETTINGS[key].flag}/${SETTINGS[key].env}`;
}
