/** The drain case: a pre-filled backlog, timed from the first receipt to the last ack. */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import { randomPayloads } from "../../src/event/payload.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { startPlainClient, startToolWorker } from "./consumers.ts";
import { withTopology } from "../measure/topology.ts";
import { percentile, startUsage } from "../../src/ops/usage.ts";
import { type CaseResult, type CaseSpec, type Consumer, result } from "../measure/result.ts";

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
    const waits: number[] = [];
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
        (r) => {
          waits.push(r.durationMs - (r.handlerMs ?? 0));
          settled(performance.now() - r.durationMs, r.handlerMs ?? 0);
        },
      )
      : startPlainClient(client, config, spec, settled);
    await done.promise;
    const used = usage.stop();
    await stop();
    const pool = spec.pool / (spec.latencyMs / 1000);
    const bound = spec.latencyMs > 0 ? Math.min(pool, ceiling ?? Infinity) : ceiling;
    return result(
      {
        name: `${consumer} drain P=${spec.pool} L=${spec.latencyMs}ms` +
          (spec.streams === undefined ? "" : ` ${spec.streams} streams`),
        case: spec.case,
        consumer,
        mode: "drain",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events: spec.events,
        seconds: (last - first) / 1000,
        ...(bound === undefined ? {} : { bound }),
        ...(ceiling === undefined ? {} : { ceiling }),
        ...(waits.length === 0 ? {} : { waitP50Ms: percentile(waits, 50) }),
        ...(spec.streams === undefined ? {} : { streams: spec.streams }),
      },
      latencies,
      used,
      handlerTimes,
    );
  });
}
