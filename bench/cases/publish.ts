/** The publish case: the publisher alone, as `event-tool publish` runs it. */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import {
  BUILT_IN_EVENT_TYPE,
  EVENT_TYPE_ATTRIBUTE,
  PUBLISHED_AT_ATTRIBUTE,
} from "../../src/event/event.ts";
import { Buffer } from "node:buffer";
import { type Payload, randomPayloads } from "../../src/event/payload.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { withTopology } from "../measure/topology.ts";
import { startUsage } from "../../src/ops/usage.ts";
import { type CaseResult, result } from "../measure/result.ts";

/**
 * What a user writes without the tool: `publishMessage` for each event (with the same two
 * attributes) and the client's default batching, then wait for all of them.
 */
async function publishPlain(client: PubSub, topicName: string, payloads: Payload[]) {
  const topic = client.topic(topicName);
  const results = await Promise.allSettled(
    payloads.map((p) =>
      topic.publishMessage({
        data: Buffer.from(p.data),
        attributes: {
          [EVENT_TYPE_ATTRIBUTE]: BUILT_IN_EVENT_TYPE,
          [PUBLISHED_AT_ATTRIBUTE]: String(Date.now()),
        },
      })
    ),
  );
  return { failed: results.filter((r) => r.status === "rejected").length };
}

/**
 * Publisher alone: `events` events through `publishPayloads`, as `event-tool publish` does, or
 * as the plain client would publish them.
 */
export function publishOnly(
  client: PubSub,
  base: Config,
  events: number,
  consumer: "event-tool" | "plain-client" = "event-tool",
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    const payloads = randomPayloads(events);
    const usage = startUsage();
    const started = performance.now();
    const report = consumer === "event-tool"
      ? await publishPayloads(client, config.topic, payloads)
      : await publishPlain(client, config.topic, payloads);
    const seconds = (performance.now() - started) / 1000;
    const used = usage.stop();
    if (report.failed > 0) throw new Error(`${report.failed} events failed to publish`);
    return result(
      {
        name: `${consumer} publish ${events}`,
        case: "publish",
        consumer,
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
