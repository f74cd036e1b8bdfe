/**
 * `event-tool bench`: drains `--events` random events (or the NDJSON events of `--file`) through
 * the configured handler, as `worker` runs it, on a topic and subscription made for the run and
 * deleted after it: on the emulator PUBSUB_EMULATOR_HOST names (or one started for the run), or
 * with `--cloud` on Google Cloud. Prints the rate, the latency percentiles, the CPU per event and
 * the memory, and the pool size (and processes) it suggests for `--target-rate`. The peer matrix
 * behind docs/BENCHMARKS.md is developer tooling: `deno task bench:matrix` (bench/).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { plural } from "../base/words.ts";
import { UsageError } from "../base/errors.ts";
import { type Config, nameOf, SETTINGS } from "../config/settings.ts";
import { resolveContract } from "../event/contract.ts";
import { decodeNdjson, parseNdjson, type Payload, randomPayloads } from "../event/payload.ts";
import { type DrainFigures, measureDrain } from "../ops/drain_measure.ts";
import { type PoolSuggestion, suggestPool } from "../ops/sizing.ts";
import { connect } from "../pubsub/connect.ts";
import { describeTarget } from "../pubsub/client.ts";
import { localTarget } from "../pubsub/emulator.ts";
import { publishPayloads } from "../pubsub/publisher.ts";
import { deleteTopology, ensureTopology } from "../pubsub/topology.ts";
import { logger } from "../telemetry/log.ts";
import { resolveHandler } from "../worker/handlers/resolve.ts";
import { workerOptions } from "../worker/cli_options.ts";
import { Worker } from "../worker/worker.ts";
import { readSource } from "./publish.ts";

export const summary = "drain events through the configured handler and measure the worker";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "bench",
  "bench --pool-size 100 --simulate-latency 20ms --target-rate 5000",
  "bench --handler-url http://127.0.0.1:8080/events --events 5000",
  "bench --file events.ndjson --handler ./my_handler.ts",
  "bench --cloud --project my-project --events 2000",
] as const;

const log = logger("bench");
/** Below this many events the CPU per event is mostly the drain's fixed costs. */
const FEW = 1000;

/** The events to drain: the file's, or random ones. */
async function backlog(config: Config): Promise<{ payloads: Payload[]; eventType: string }> {
  const contract = await resolveContract(config);
  if (config.file === undefined) {
    if (contract.source !== "built-in") {
      throw new UsageError(
        `${SETTINGS.schema.flag} ${config.schema}: random events are PaymentMethodCreated ` +
          `only, expected ${SETTINGS.file.flag} <events.ndjson> with it`,
      );
    }
    return { payloads: randomPayloads(config.events), eventType: contract.eventType };
  }
  const text = decodeNdjson(await readSource(config.file), config.file, SETTINGS.file.flag);
  const payloads = parseNdjson(text, config.file, SETTINGS.file.flag, contract, undefined);
  return { payloads, eventType: contract.eventType };
}

/** The configuration of the run: a topology of its own, on the emulator or (--cloud) Google. */
async function target(config: Config) {
  if (config.cloud && config.emulatorHost !== undefined) {
    throw new UsageError(
      `${nameOf("cloud")}: got true with ${nameOf("emulatorHost")} set, expected one of them`,
    );
  }
  const { config: base, emulator } = config.cloud
    ? { config, emulator: undefined }
    : await localTarget(config);
  const id = crypto.randomUUID().slice(0, 8);
  const names = {
    topic: `event-tool-bench-${id}`,
    subscription: `event-tool-bench-${id}-sub`,
    deadLetterTopic: `event-tool-bench-${id}-dlt`,
    deadLetterSubscription: `event-tool-bench-${id}-dls`,
  };
  return { config: { ...base, ...names }, emulator };
}

/** Publishes the backlog, then drains it through a worker as `worker` would run it. */
async function drainOn(client: PubSub, config: Config): Promise<DrainFigures> {
  const { payloads, eventType } = await backlog(config);
  log.info("Publishing {events} to {topic} on {target}", {
    events: plural(payloads.length, "event"),
    topic: config.topic,
    target: describeTarget(config),
  });
  const report = await publishPayloads(client, config.topic, payloads, { eventType });
  if (report.failed > 0) {
    throw new Error(`${report.failed} of ${payloads.length} events were not published`, {
      cause: report.firstError,
    });
  }
  const handler = await resolveHandler(config);
  const contract = await resolveContract(config);
  const worker = new Worker(workerOptions(config, { client, handler, contract }));
  return await measureDrain(worker, report.published);
}

/** Runs `bench`. */
export async function run(config: Config): Promise<void> {
  const { config: run, emulator } = await target(config);
  try {
    const client = await connect(run);
    try {
      await ensureTopology(client, run);
      try {
        const figures = await drainOn(client, run);
        const rate = config.targetRate ?? figures.eventsPerSecond;
        const suggestion = suggestPool(rate, {
          handlerMeanMs: figures.handler.mean,
          cpuMsPer1000: figures.cpuMsPer1000,
        });
        console.log(
          config.json
            ? JSON.stringify({ ...figures, suggestion }, null, 2)
            : describe(figures, suggestion, config),
        );
      } finally {
        for (const error of await deleteTopology(client, run)) {
          log.warning("Could not delete a resource the bench made: {error}", { error });
        }
      }
    } finally {
      await client.close();
    }
  } finally {
    await emulator?.stop();
  }
}

const ms = (n: number) => n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`;
const times = (s: { p50: number; p95: number; p99: number }) =>
  `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}`;
const count = (n: number) => Math.round(n).toLocaleString("en");

/** The figures and the suggestion as lines for people. */
export function describe(f: DrainFigures, s: PoolSuggestion, config: Config): string {
  const o = f.outcomes;
  const processes = s.replicas === 1
    ? "one worker process"
    : `${s.replicas} worker processes (one takes about ${count(s.perProcess)}/s on 70% of a core)`;
  return [
    `Drained ${plural(f.events, "event")} in ${f.seconds.toFixed(2)} s: ` +
    `${count(f.eventsPerSecond)} events/s with --pool-size ${config.poolSize} ` +
    `(acked ${o.acked}, duplicate ${o.duplicate}, dead-lettered ${o["dead-lettered"]}, ` +
    `nacked ${o.nacked} on the way)`,
    `Handler:           mean ${ms(f.handler.mean)}, ${times(f.handler)}`,
    `Receipt → outcome: ${times(f.receiptToOutcome)}`,
    `Publish → outcome: ${times(f.publishToOutcome)} (a pre-filled backlog: mostly its wait)`,
    `CPU:               ${f.cpuMsPer1000.toFixed(1)} ms per 1,000 events (start-up excluded)`,
    `Memory:            peak RSS ${f.peakRssMb.toFixed(0)} MB (this process)`,
    `For ${count(s.rate)} events/s: --pool-size ${s.poolSize} on ${processes} ` +
    `(${count(s.rate)}/s × ${ms(f.handler.mean)} = ${s.inFlight.toFixed(0)} in flight, ` +
    `+25%); ${s.cores.toFixed(2)} of a core in all`,
    ...(f.events < FEW
      ? [`(Fewer than ${count(FEW)} events: the CPU figure is mostly fixed costs; drain more.)`]
      : []),
  ].join("\n");
}
