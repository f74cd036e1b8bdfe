/** Each bench case runs on its own fresh topic and subscription, deleted afterwards. */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import { deleteTopology, ensureTopology } from "../../src/pubsub/topology.ts";
import { logger } from "../../src/telemetry/log.ts";

const log = logger("bench");

/** Runs `fn` with a config naming a fresh topology, created before and deleted after. */
export async function withTopology<T>(
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
    for (const error of await deleteTopology(client, config)) {
      log.warning("Could not delete a bench resource: {error}", { error });
    }
  }
}
