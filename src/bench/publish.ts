/** The publish case: the publisher alone, as `event-tool publish` runs it. */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { randomPayloads } from "../event/payload.ts";
import { publishPayloads } from "../pubsub/publisher.ts";
import { withTopology } from "./fresh_topology.ts";
import { startUsage } from "./measure.ts";
import { type CaseResult, result } from "./result.ts";

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
