/**
 * Benchmark cases on the emulator, each on a fresh topic and subscription that are deleted
 * afterwards: the tool's worker (the same `Worker` as `event-tool worker`), the plain client a
 * user would write without the tool, the emulator's ceiling, steady publishing, and the
 * publisher alone.
 */
import type { Message, PubSub } from "@google-cloud/pubsub";
import { publishPayloads, randomPayloads } from "../commands/publish.ts";
import { ensureTopology } from "../commands/setup.ts";
import type { Config } from "../config.ts";
import { PUBLISHED_AT_ATTRIBUTE } from "../event.ts";
import { sleep } from "../handler.ts";
import { Worker } from "../worker.ts";
import { percentile, startUsage } from "./measure.ts";

/** Who consumes in a case. */
export type Consumer = "event-tool" | "plain-client";

/** One measured case. */
export interface CaseResult {
  name: string;
  consumer: Consumer;
  mode: "drain" | "steady" | "publish";
  pool: number;
  latencyMs: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** min(pool / latency, ceiling), events/s; undefined where it does not apply. */
  bound?: number;
  /** eventsPerSecond / bound, in percent. */
  percentOfBound?: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cpuMsPer1000: number;
  peakRssMb: number;
  /** RSS at the start and end of the case, MB (memory growth shows as a difference). */
  rssStartMb: number;
  rssEndMb: number;
}

/** Settings of one drain or steady case. */
export interface CaseSpec {
  pool: number;
  latencyMs: number;
  /** Lease window for the tool's worker; default its own (2 × pool). */
  window?: number;
  events: number;
}

const MB = 1024 * 1024;

async function withTopology<T>(
  client: PubSub,
  base: Config,
  fn: (config: Config) => Promise<T>,
): Promise<T> {
  const id = crypto.randomUUID().slice(0, 8);
  const config: Config = {
    ...base,
    topic: `bench-${id}`,
    subscription: `bench-${id}-sub`,
    deadLetterTopic: `bench-${id}-dlt`,
    deadLetterSubscription: `bench-${id}-dls`,
  };
  await ensureTopology(client, config);
  try {
    return await fn(config);
  } finally {
    await client.subscription(config.subscription).delete().catch(() => {});
    await client.subscription(config.deadLetterSubscription).delete().catch(() => {});
    await client.topic(config.topic).delete().catch(() => {});
    await client.topic(config.deadLetterTopic).delete().catch(() => {});
  }
}

function result(
  fields: Omit<
    CaseResult,
    | "eventsPerSecond"
    | "p50Ms"
    | "p95Ms"
    | "p99Ms"
    | "cpuMsPer1000"
    | "peakRssMb"
    | "rssStartMb"
    | "rssEndMb"
    | "percentOfBound"
  >,
  latencies: number[],
  usage: ReturnType<ReturnType<typeof startUsage>["stop"]>,
): CaseResult {
  const eventsPerSecond = fields.events / fields.seconds;
  return {
    ...fields,
    eventsPerSecond,
    ...(fields.bound === undefined
      ? {}
      : { percentOfBound: (100 * eventsPerSecond) / fields.bound }),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    cpuMsPer1000: (usage.cpuMs * 1000) / fields.events,
    peakRssMb: usage.peakRssBytes / MB,
    rssStartMb: (usage.rssSamples[0] ?? 0) / MB,
    rssEndMb: (usage.rssSamples.at(-1) ?? 0) / MB,
  };
}

/**
 * Drain: pre-fills `spec.events`, then times `consumer` draining them. Latency is receipt → ack
 * in the consumer. `ceiling` bounds the expected rate.
 */
export function drain(
  client: PubSub,
  base: Config,
  consumer: Consumer,
  spec: CaseSpec,
  ceiling?: number,
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    await publishPayloads(client, config.topic, randomPayloads(spec.events));
    const latencies: number[] = [];
    const done = Promise.withResolvers<void>();
    let first = 0;
    let last = 0;
    const settled = (receiptMs: number) => {
      const now = performance.now();
      if (first === 0) first = receiptMs;
      latencies.push(now - receiptMs);
      last = now;
      if (latencies.length === spec.events) done.resolve();
    };
    const usage = startUsage();
    const stop = consumer === "event-tool"
      ? startToolWorker(client, config, spec, (r) => settled(performance.now() - r.durationMs))
      : startPlainClient(client, config, spec, settled);
    await done.promise;
    const used = usage.stop();
    await stop();
    const pool = spec.pool / (spec.latencyMs / 1000);
    const bound = spec.latencyMs > 0 ? Math.min(pool, ceiling ?? Infinity) : ceiling;
    return result(
      {
        name: `${consumer} drain P=${spec.pool} L=${spec.latencyMs}ms`,
        consumer,
        mode: "drain",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events: spec.events,
        seconds: (last - first) / 1000,
        ...(bound === undefined ? {} : { bound }),
      },
      latencies,
      used,
    );
  });
}

function startToolWorker(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (record: { durationMs: number }) => void,
): () => Promise<unknown> {
  const worker = new Worker({
    ...config,
    poolSize: spec.pool,
    maxOutstanding: spec.window,
    simulateLatency: spec.latencyMs,
    simulateFailureRate: 0,
    logLevel: "warning",
  } as Config, { client });
  worker.onOutcome((record) => onDone(record));
  worker.start();
  return () => worker.stop();
}

/** What a user writes without the tool: flow control = pool size, sleep, ack. */
function startPlainClient(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (receiptMs: number) => void,
): () => Promise<unknown> {
  const subscription = client.subscription(config.subscription, {
    flowControl: { maxMessages: spec.pool, allowExcessMessages: false },
  });
  subscription.on("message", async (message: Message) => {
    const received = performance.now();
    if (spec.latencyMs > 0) await sleep(spec.latencyMs);
    message.ack();
    onDone(received);
  });
  subscription.on("error", (error) => console.error(`plain client: ${error.message}`));
  return () => subscription.close();
}

/**
 * Steady: the tool's worker runs while events are published at `rate` per second for
 * `durationMs`; latency is publish (attribute) → ack.
 */
export function steady(
  client: PubSub,
  base: Config,
  spec: CaseSpec,
  rate: number,
  durationMs: number,
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    const events = Math.round((rate * durationMs) / 1000);
    const latencies: number[] = [];
    const done = Promise.withResolvers<void>();
    const worker = new Worker({
      ...config,
      poolSize: spec.pool,
      maxOutstanding: spec.window,
      simulateLatency: spec.latencyMs,
      logLevel: "warning",
    } as Config, { client });
    worker.onOutcome((record) => {
      if (record.latencyMs !== undefined) latencies.push(record.latencyMs);
      if (latencies.length === events) done.resolve();
    });
    worker.start();
    await sleep(500); // let the streams open before the clock starts
    const usage = startUsage();
    const started = performance.now();
    await publishPayloads(client, config.topic, randomPayloads(events), { rate });
    await done.promise;
    const seconds = (performance.now() - started) / 1000;
    const used = usage.stop();
    await worker.stop();
    return result(
      {
        name: `event-tool steady ${rate}/s P=${spec.pool} L=${spec.latencyMs}ms`,
        consumer: "event-tool",
        mode: "steady",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events,
        seconds,
      },
      latencies,
      used,
    );
  });
}

/** Publisher alone: `events` events through `publishPayloads`, as `event-tool publish` does. */
export function publishOnly(client: PubSub, base: Config, events: number): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    const payloads = randomPayloads(events);
    const usage = startUsage();
    const started = performance.now();
    const report = await publishPayloads(client, config.topic, payloads);
    const seconds = (performance.now() - started) / 1000;
    const used = usage.stop();
    if (report.failed > 0) throw new Error(`${report.failed} events failed to publish`);
    return result(
      {
        name: `publish ${events}`,
        consumer: "event-tool",
        mode: "publish",
        pool: 0,
        latencyMs: 0,
        events,
        seconds,
      },
      [],
      used,
    );
  });
}
