/**
 * Benchmark cases on the emulator, each on a fresh topic and subscription that are deleted
 * afterwards: the tool's worker (the same `Worker` as `event-tool worker`), the plain client a
 * user would write without the tool, the emulator's ceiling, steady publishing, and the
 * publisher alone.
 */
import type { Message, PubSub } from "@google-cloud/pubsub";
import { publishPayloads, randomPayloads } from "../commands/publish.ts";
import { ensureTopology } from "../commands/setup.ts";
import type { Config } from "../config/settings.ts";
import { freePort } from "../pubsub/emulator.ts";
import { PUBLISHED_AT_ATTRIBUTE } from "../event/event.ts";
import { sleep } from "../worker/handler.ts";
import { logger } from "../telemetry/log.ts";
import { connectionEnv } from "../pubsub/client.ts";
import { Worker } from "../worker/worker.ts";
import { percentile, sample, startUsage, type Usage } from "./measure.ts";

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
  /** Steady mode: p50 and p99 of publish → receipt alone (before the consumer starts). */
  deliveryP50Ms?: number;
  deliveryP99Ms?: number;
  /** Set on cases that vary one setting for comparison (not paired with the plain client). */
  variant?: string;
  /** The emulator ceiling this case was measured against, events/s. */
  ceiling?: number;
  /** eventsPerSecond / bound, in percent. */
  percentOfBound?: number;
  /** Mean time in the handler (the simulated latency as this machine delivered it). */
  handlerMeanMs: number;
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
  /** Lease window for the tool's worker; default its own (see `leaseWindow`). */
  window?: number;
  events: number;
}

const MB = 1024 * 1024;
const log = logger("bench");

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
    const cleanups = [
      client.subscription(config.subscription).delete(),
      client.subscription(config.deadLetterSubscription).delete(),
      client.topic(config.topic).delete(),
      client.topic(config.deadLetterTopic).delete(),
    ];
    for (
      const failed of (await Promise.allSettled(cleanups)).filter((r) => r.status === "rejected")
    ) {
      log.warning("Could not delete a bench resource: {error}", { error: failed.reason });
    }
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
    | "handlerMeanMs"
  >,
  latencies: number[],
  usage: Usage,
  handlerTimes: number[] = [],
): CaseResult {
  const eventsPerSecond = fields.events / fields.seconds;
  return {
    ...fields,
    eventsPerSecond,
    ...(fields.bound === undefined
      ? {}
      : { percentOfBound: (100 * eventsPerSecond) / fields.bound }),
    handlerMeanMs: handlerTimes.length === 0
      ? 0
      : handlerTimes.reduce((a, b) => a + b, 0) / handlerTimes.length,
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
    const handlerTimes: number[] = [];
    const done = Promise.withResolvers<void>();
    let first = 0;
    let last = 0;
    const settled = (receiptMs: number, handlerMs: number) => {
      handlerTimes.push(handlerMs);
      const now = performance.now();
      if (first === 0) first = receiptMs;
      latencies.push(now - receiptMs);
      last = now;
      if (latencies.length === spec.events) done.resolve();
    };
    const usage = startUsage();
    const stop = consumer === "event-tool"
      ? startToolWorker(
        client,
        config,
        spec,
        (r) => settled(performance.now() - r.durationMs, r.handlerMs ?? 0),
      )
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
        ...(ceiling === undefined ? {} : { ceiling }),
      },
      latencies,
      used,
      handlerTimes,
    );
  });
}

function startToolWorker(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (record: { durationMs: number; handlerMs?: number; latencyMs?: number }) => void,
): () => Promise<unknown> {
  const worker = new Worker({
    ...config,
    poolSize: spec.pool,
    maxOutstanding: spec.window,
    simulateLatency: spec.latencyMs,
    simulateFailureRate: 0,
    logLevel: "warning",
  }, { client });
  worker.onOutcome((record) => onDone(record));
  worker.start();
  return () => worker.stop();
}

/** What a user writes without the tool: flow control = pool size, sleep, ack. */
function startPlainClient(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (receiptMs: number, handlerMs: number, message: Message) => void,
): () => Promise<unknown> {
  const subscription = client.subscription(config.subscription, {
    flowControl: { maxMessages: spec.pool, allowExcessMessages: false },
  });
  subscription.on("message", async (message: Message) => {
    const received = performance.now();
    if (spec.latencyMs > 0) await sleep(spec.latencyMs);
    const handlerMs = performance.now() - received;
    message.ack();
    onDone(received, handlerMs, message);
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
  consumer: Consumer,
  spec: CaseSpec,
  rate: number,
  durationMs: number,
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    const events = Math.round((rate * durationMs) / 1000);
    const latencies: number[] = [];
    const handlerTimes: number[] = [];
    const deliveries: number[] = [];
    const done = Promise.withResolvers<void>();
    const settled = (latencyMs: number, handlerMs: number, inConsumerMs: number) => {
      handlerTimes.push(handlerMs);
      latencies.push(latencyMs);
      deliveries.push(latencyMs - inConsumerMs);
      if (latencies.length === events) done.resolve();
    };
    const stop = consumer === "event-tool"
      ? startToolWorker(
        client,
        config,
        spec,
        (r) => settled(r.latencyMs ?? 0, r.handlerMs ?? 0, r.durationMs),
      )
      : startPlainClient(
        client,
        config,
        spec,
        (received, handlerMs, message) =>
          settled(
            Date.now() - Number(message.attributes[PUBLISHED_AT_ATTRIBUTE]),
            handlerMs,
            performance.now() - received,
          ),
      );
    await sleep(500); // let the streams open before the clock starts
    const usage = startUsage();
    const started = performance.now();
    await publishPayloads(client, config.topic, randomPayloads(events), { rate });
    await done.promise;
    const seconds = (performance.now() - started) / 1000;
    const used = usage.stop();
    await stop();
    return result(
      {
        name: `${consumer} steady ${rate}/s P=${spec.pool} L=${spec.latencyMs}ms`,
        consumer,
        mode: "steady",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events,
        seconds,
        deliveryP50Ms: percentile(deliveries, 50),
        deliveryP99Ms: percentile(deliveries, 99),
      },
      latencies,
      used,
      handlerTimes,
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

/** The V8 flag `deno task worker` and the Dockerfile run the worker with (README, Performance). */
const WORKER_V8_FLAGS = "--v8-flags=--max-old-space-size=128";

/** The command line that runs this same tool: the executable itself, or deno with main.ts. */
function selfCommand(args: string[]): [string, string[]] {
  const exec = Deno.execPath();
  if (!/^deno(\.exe)?$/.test(exec.split(/[\\/]/).at(-1) ?? "")) return [exec, args];
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const flags = [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-sys",
    WORKER_V8_FLAGS,
  ];
  return [exec, ["run", ...flags, main, ...args]];
}

/**
 * Backlog: pre-fills `events`, then runs the real `event-tool worker` as its own process with a
 * no-op handler, reading its progress, RSS and CPU from its own /metrics every 100 ms.
 */
export function backlogProcess(
  client: PubSub,
  base: Config,
  pool: number,
  events: number,
  ceiling: number | undefined,
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    await publishPayloads(client, config.topic, randomPayloads(events));
    const port = freePort();
    const [command, args] = selfCommand(["worker"]);
    const child = new Deno.Command(command, {
      args,
      env: {
        ...connectionEnv(config),
        WORKER_POOL_SIZE: String(pool),
        WORKER_SIMULATE_LATENCY: "0",
        WORKER_SUMMARY_INTERVAL: "0",
        METRICS_PORT: String(port),
        LOG_LEVEL: "warning",
        LOG_FORMAT: "json",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const rss: number[] = [];
    let acked = 0;
    let cpuMs = 0;
    let first = 0;
    let last = 0;
    const deadline = Date.now() + 600_000;
    while (acked < events && Date.now() < deadline) {
      await sleep(100);
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
      if (text === "") continue; // not listening yet
      acked = sample(text, "event_tool_events_acked_total") ?? 0;
      rss.push(sample(text, "event_tool_process_resident_memory_bytes") ?? 0);
      cpuMs = (sample(text, "event_tool_process_cpu_seconds_total") ?? 0) * 1000;
      if (acked > 0 && first === 0) first = performance.now();
      last = performance.now();
    }
    child.kill("SIGTERM");
    await child.status;
    if (acked < events) throw new Error(`backlog: only ${acked} of ${events} acked in time`);
    return result(
      {
        name: `event-tool worker process, backlog ${events}, P=${pool} L=0ms`,
        variant: "backlog",
        consumer: "event-tool",
        mode: "drain",
        pool,
        latencyMs: 0,
        events,
        seconds: (last - first) / 1000,
        ...(ceiling === undefined ? {} : { bound: ceiling }),
      },
      [],
      { cpuMs, peakRssBytes: Math.max(...rss), rssSamples: rss },
    );
  });
}
