/**
 * `event-tool status`: what is on Pub/Sub for this configuration. The topics; the subscription's
 * settings (ack deadline, retry and dead-letter policies, replay window, expiry, ordering, filter)
 * and how they differ from the flags given; its snapshots; and the dead-letter subscription's
 * first messages by reason (a peek: nothing is acked).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { type Config, SETTINGS } from "../config/settings.ts";
import { describeTarget } from "../pubsub/client.ts";
import { connect } from "../pubsub/connect.ts";
import { puller, pullUntil } from "../pubsub/pull.ts";
import { describeSettings, shortName } from "../pubsub/subscription_settings.ts";
import { subscriptionDrift, wantedSettings } from "../pubsub/topology.ts";
import { reasonOf } from "../ops/dead_letter_queue.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";

export const summary = "show the topics, the subscription's settings and drift, snapshots and " +
  "dead letters by reason";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = ["status", "status --ack-deadline 120s"] as const;

/** Dead letters a status looks at to count reasons. */
const PEEK = 1000;

async function exists<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (codeOf(error) === GRPC.NOT_FOUND) return undefined;
    throw error;
  }
}

/** The lines for one subscription: its settings, then what differs from `config`. */
async function subscriptionLines(client: PubSub, config: Config, name: string): Promise<string[]> {
  const found = await exists(() => client.subscription(name).getMetadata());
  if (found === undefined) return [`subscription ${name}: missing (run event-tool setup)`];
  const [metadata] = found;
  const settings = describeSettings(metadata).map(([setting, value]) => `${setting} ${value}`);
  settings.push(`filter ${metadata.filter || "none"}`);
  const lines = [
    `subscription ${name} (topic ${shortName(metadata.topic)}): ${settings.join(", ")}`,
  ];
  const drift = await subscriptionDrift(client, name, wantedSettings(client, config, name));
  for (const d of drift) {
    lines.push(
      `  differs from the flags: ${d.setting} ${d.now} → ${d.wanted}` +
        (d.apply
          ? ` (setup ${SETTINGS.update.flag} applies it)`
          : ` (cannot change: setup ${SETTINGS.recreate.flag}, or a new subscription name)`),
    );
  }
  return lines;
}

/** Runs `status`: plain lines on stdout. */
export async function run(config: Config): Promise<void> {
  const client = await connect(config);
  try {
    console.log(`target: ${describeTarget(config)}`);
    for (const topic of [config.topic, config.deadLetterTopic]) {
      const [present] = await client.topic(topic).exists();
      console.log(`topic ${topic}: ${present ? "exists" : "missing (run event-tool setup)"}`);
    }
    for (const name of [config.subscription, config.deadLetterSubscription]) {
      for (const line of await subscriptionLines(client, config, name)) console.log(line);
    }
    const topicName = client.topic(config.topic).name;
    const [snapshots] = await client.getSnapshots();
    const ours = snapshots.filter((s) => s.metadata?.topic === topicName).map((s) =>
      shortName(s.name)
    );
    console.log(`snapshots of ${config.topic}: ${ours.length ? ours.join(", ") : "none"}`);
    if (await exists(() => client.subscription(config.deadLetterSubscription).getMetadata())) {
      const source = puller(client, config.deadLetterSubscription);
      try {
        const seen = await pullUntil(source, PEEK, () => false);
        await source.release(seen.map((m) => m.ackId));
        const byReason = new Map<string, number>();
        for (const m of seen) byReason.set(reasonOf(m), (byReason.get(reasonOf(m)) ?? 0) + 1);
        const counts = [...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} ${r}`);
        console.log(
          `dead letters on ${config.deadLetterSubscription}: ${
            seen.length === 0
              ? "none"
              : `${counts.join(", ")}${seen.length >= PEEK ? ` (first ${PEEK} looked at)` : ""}`
          } (event-tool dead-letters peek shows them)`,
        );
      } finally {
        await source.close();
      }
    }
  } finally {
    await client.close();
  }
}
