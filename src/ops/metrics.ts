/**
 * Prometheus metrics of a worker (prom-client): counters from each outcome or read live from the
 * worker's own tallies when scraped (cheap, and so all of them from one moment: received − acked −
 * nacked never dips below zero), histograms of handler duration and publish→ack latency, gauges
 * read from the latest snapshot (snapshot.ts: the one the summary and the console read too, at
 * most a tick old), and the default process metrics. Every name starts with `event_tool_`.
 */
import client from "prom-client";
import { SETTINGS } from "../config/settings.ts";
import {
  ACK_FAILED_REASONS,
  DEAD_LETTER_REASONS,
  NACK_REASONS,
  type OutcomeRecord,
  type Reason,
} from "../worker/outcome.ts";
import type { Worker, WorkerCounters, WorkerStats } from "../worker/worker.ts";
import { pauseMetrics } from "./pause_metrics.ts";
import type { SubscriberStats } from "../pubsub/subscriber/subscriber.ts";
import { logWriteFailures } from "../telemetry/stderr_sink.ts";
import { Snapshots } from "./snapshot.ts";
import { type Makers, makers, METRIC_PREFIX } from "./metric_makers.ts";

/** Names and help of every metric this module registers (README's Monitoring lists them). */
export const METRICS = {
  received: "events delivered to the worker (redeliveries included)",
  acked: "events handled and acked",
  nacked: "events nacked for redelivery, by reason",
  deadLettered: "events published to the dead-letter topic and acked, by reason",
  duplicates: "redelivered events acked without running the handler again",
  handlerErrors: "handler calls that failed or timed out (those retried in place included)",
  retriesInPlace: "failed handler calls whose event was kept and tried again in place (keyed " +
    "events, and any on its last delivery) instead of nacked",
  ackFailed: "events whose ack Pub/Sub did not confirm (exactly-once subscriptions), by reason: " +
    "they come back",
  unrecognised: "deliveries of valid events carrying a value their contract does not list " +
    "(built-in: a paymentMethodType other than card or bank_account); handled as usual",
  publishFailures: "failed publishes to the dead-letter topic (the event is nacked instead); " +
    'permanent="true" when the copy can never be published (over Pub/Sub\'s limits)',
} as const;

/** How often the event-loop delay is sampled, ms. */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Reasons that mean the handler itself failed. */
const HANDLER_ERRORS: readonly Reason[] = ["handler-failed", "redirected", "max-attempts"];

type ReadStats = () => WorkerStats;

/** A registry of `worker`'s metrics: outcomes as they happen, its state from `snapshots`. */
export function workerMetrics(worker: Worker, snapshots = new Snapshots(worker)): client.Registry {
  const stats = () => snapshots.latest.stats;
  const live = (): WorkerCounters => worker.counters;
  const registry = new client.Registry();
  const make = makers(registry);
  processMetrics(registry, make);
  const finished = progressMetrics(make, worker);
  outcomeMetrics(make, worker, live, finished);
  poolMetrics(make, stats);
  subscriberMetrics(make, stats, live);
  const ready = () => snapshots.latest.ready ? 1 : 0;
  make.gauge("ready", "1 while the worker is ready (as /readyz), else 0", ready);
  pauseMetrics(registry, stats, live);
  return registry;
}

/** The default process metrics, with Deno's resident memory. */
function processMetrics(registry: client.Registry, make: Makers): void {
  // The event-loop delay is sampled every 100 ms, not prom-client's 10: under Deno its monitor is
  // a timer, and at 10 ms it cost the worker 6-9 ms of CPU a second, idle or not (measured).
  client.collectDefaultMetrics({
    register: registry,
    prefix: METRIC_PREFIX,
    eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
  });
  // prom-client reads RSS from /proc/self/status, which Deno only lets a fully privileged
  // process read, so its value stays 0; Deno reports it directly.
  registry.removeSingleMetric(`${METRIC_PREFIX}process_resident_memory_bytes`);
  make.gauge(
    "process_resident_memory_bytes",
    "Resident memory size in bytes.",
    () => Deno.memoryUsage().rss,
  );
}

/**
 * What each outcome tells: counters by reason (every reason at 0 from the start, so a rate()
 * over a label exists before its first event), the handler's duration and publish→outcome
 * latency; the busiest counters are the worker's own tallies, read when scraped: nothing per
 * event. `finished` hears each final outcome.
 */
function outcomeMetrics(
  make: Makers,
  worker: Worker,
  live: () => WorkerCounters,
  finished: () => void,
): void {
  const nacked = make.counter("events_nacked_total", METRICS.nacked, ["reason"]);
  const deadLettered = make.counter("events_dead_lettered_total", METRICS.deadLettered, [
    "reason",
  ]);
  const ackFailed = make.counter("events_ack_failed_total", METRICS.ackFailed, ["reason"]);
  const unrecognised = make.counter("events_unrecognised_total", METRICS.unrecognised);
  const publishFailures = make.counter("publish_failures_total", METRICS.publishFailures, [
    "permanent",
  ]);
  const handlerDuration = make.histogram(
    "handler_duration_seconds",
    "time the handler took per event",
  );
  const latency = make.histogram(
    "publish_to_ack_seconds",
    "time from publish to the event's final outcome (ack or dead-letter)",
  );
  make.counted("events_received_total", METRICS.received, () => live().received);
  make.counted("events_acked_total", METRICS.acked, () => live().acked);
  make.counted("events_duplicates_total", METRICS.duplicates, () => live().duplicate);
  // Failed calls that ended a delivery (counted from outcomes) and those retried in place.
  let handlerErrors = 0;
  const retries = () => live().retriesInPlace;
  make.counted("handler_errors_total", METRICS.handlerErrors, () => handlerErrors + retries());
  make.counted("retries_in_place_total", METRICS.retriesInPlace, retries);
  for (const reason of NACK_REASONS) nacked.inc({ reason }, 0);
  for (const reason of DEAD_LETTER_REASONS) deadLettered.inc({ reason }, 0);
  for (const reason of ACK_FAILED_REASONS) ackFailed.inc({ reason }, 0);
  worker.onOutcome((record: OutcomeRecord) => {
    if (record.handlerMs !== undefined) handlerDuration.observe(record.handlerMs / 1000);
    if (record.unrecognised) unrecognised.inc();
    if (record.reason !== undefined && HANDLER_ERRORS.includes(record.reason)) handlerErrors++;
    if (
      record.reason === "dead-letter-publish-failed" || record.reason === "dead-letter-rejected"
    ) {
      publishFailures.inc({ permanent: String(record.reason === "dead-letter-rejected") });
    }
    switch (record.outcome) {
      case "nacked":
        nacked.inc({ reason: record.reason ?? "none" });
        return; // not final: no publish→outcome latency
      case "ack-failed":
        ackFailed.inc({ reason: record.reason ?? "none" });
        return; // not final: it comes back
      case "dead-lettered":
        deadLettered.inc({ reason: record.reason ?? "none" });
    }
    finished();
    latency.observe(record.latencyMs / 1000);
  });
}

/** The pool, the lease window, keys, the pace and what runs past its time, read when scraped. */
function poolMetrics(make: Makers, stats: ReadStats): void {
  const gauge = make.gauge;
  gauge("in_flight_events", "events holding a pool permit now", () => stats().inFlight);
  gauge("pool_size", `pool permits (${SETTINGS.poolSize.flag})`, () => stats().poolSize);
  gauge("pool_free_permits", "pool permits free now", () => stats().freePermits);
  gauge(
    "lease_window",
    `events the client may hold (${SETTINGS.maxOutstanding.flag})`,
    () => stats().leaseWindow,
  );
  gauge("keys_in_flight", "keys with an event running now", () => stats().keys.keysInFlight);
  gauge(
    "events_waiting_for_key",
    "events waiting for an earlier event of their key (they hold no permit)",
    () => stats().keys.waiting,
  );
  gauge(
    "rate_limit_per_second",
    `handler starts allowed per second now (${SETTINGS.rateLimit.flag}, lowered while the ` +
      "handler is throttled); 0 when unlimited",
    () => stats().rateLimit ?? 0,
  );
  gauge(
    "handlers_abandoned",
    "handler calls that timed out and still run (each keeps its pool permit until it ends)",
    () => stats().abandoned,
  );
  make.counted(
    "log_write_failures_total",
    "log writes to stderr that failed (their lines are lost; outcomes are not affected)",
    logWriteFailures,
  );
}

/** The subscriber's figures: counters read live, gauges from the snapshot. */
function subscriberMetrics(make: Makers, stats: ReadStats, live: () => WorkerCounters): void {
  const fromSubscriber = (name: string, help: string, read: (s: SubscriberStats) => number) =>
    make.counted(name, help, () => read(live().subscriber));
  make.gauge(
    "leased_messages",
    "messages the worker holds now: running, waiting for a permit, or held for a Retry-After",
    () => stats().subscriber.leased,
  );
  fromSubscriber(
    "lease_extensions_total",
    "deadline extensions sent for held messages (one per message per extension)",
    (s) => s.extensions,
  );
  fromSubscriber(
    "leases_expired_total",
    `messages held past ${SETTINGS.maxLease.flag}: nacked (given back to Pub/Sub)`,
    (s) => s.expired,
  );
  fromSubscriber(
    "ack_batch_failures_total",
    "batches of acks or deadline changes that failed after retries (those messages come back)",
    (s) => s.ackFailures,
  );
  fromSubscriber(
    "stream_reconnects_total",
    "streaming pulls reopened (after an error, their planned end, or the watchdog)",
    (s) => s.reconnects,
  );
  fromSubscriber(
    "stream_watchdog_reopens_total",
    "streams reopened because they delivered nothing while the worker had room",
    (s) => s.watchdogReopens,
  );
  make.gauge(
    "ack_deadline_seconds",
    "the ack deadline the worker asks for: the 99th percentile of held time, 10 to 600 s",
    () => stats().subscriber.ackDeadlineSeconds,
  );
}

/**
 * When the first delivery arrived and the latest event was finished (unix seconds): how long a
 * backlog took to drain, and an alert that progress stopped, without scraping often. Returns
 * what to call at each final outcome.
 */
function progressMetrics(make: Makers, worker: Worker): () => void {
  let firstReceipt = 0;
  let lastFinal = 0;
  make.gauge(
    "first_receipt_timestamp_seconds",
    "unix time the worker received its first delivery (0 before it)",
    () => firstReceipt / 1000,
  );
  make.gauge(
    "last_final_outcome_timestamp_seconds",
    "unix time of the latest final outcome (acked, duplicate or dead-lettered; 0 before it)",
    () => lastFinal / 1000,
  );
  worker.onReceive(() => {
    if (firstReceipt === 0) firstReceipt = Date.now();
  });
  return () => {
    lastFinal = Date.now();
  };
}
