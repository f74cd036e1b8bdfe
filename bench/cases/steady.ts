/** The steady case: events published at a fixed rate while the consumer runs. */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import type { Config } from "../../src/config/settings.ts";
import { PUBLISHED_AT_ATTRIBUTE } from "../../src/event/event.ts";
import { randomPayloads } from "../../src/event/payload.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { startPlainClient, startToolWorker } from "./consumers.ts";
import { withTopology } from "../measure/topology.ts";
import { percentile, startUsage } from "../../src/ops/usage.ts";
import { type CaseResult, type CaseSpec, type Consumer, result } from "../measure/result.ts";

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
        case: spec.case,
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
