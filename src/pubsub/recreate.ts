/**
 * For a setting Pub/Sub cannot change on an existing subscription (message ordering): what waits
 * on the subscription, and deleting it and creating it again with the settings wanted
 * (`setup --recreate`, refused by setup unless nothing waits).
 */
import type { CreateSubscriptionOptions, PubSub } from "@google-cloud/pubsub";
import { puller, pullUntil } from "./pull.ts";

/** Most messages pulled to tell whether a backlog is empty. */
const LOOK = 1000;

/**
 * How many undelivered messages the subscription `name` holds, at least: one pull (twice when
 * the first is empty), given straight back. Messages a worker holds are not counted.
 */
export async function backlogOf(client: PubSub, name: string): Promise<number> {
  const source = puller(client, name);
  try {
    const seen = await pullUntil(source, LOOK, (pulled) => pulled.length > 0);
    await source.release(seen.map((m) => m.ackId));
    return seen.length;
  } finally {
    await source.close();
  }
}

/**
 * Deletes the subscription `name` and creates it on `topic` with `wanted`. Resolves with how long,
 * at most, it did not exist (events published then are not on it).
 */
export async function recreateSubscription(
  client: PubSub,
  name: string,
  topic: string,
  wanted: CreateSubscriptionOptions,
): Promise<number> {
  const started = performance.now();
  await client.subscription(name).delete();
  try {
    await client.topic(topic).createSubscription(name, wanted);
  } catch (error) {
    throw new Error(
      `subscription ${name} was deleted but could not be created again: run setup again`,
      { cause: error },
    );
  }
  return performance.now() - started;
}
