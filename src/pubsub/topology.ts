/**
 * The four resources event-tool works with: the topic, the dead-letter topic, the subscription
 * (ack deadline, retry policy, dead-letter policy, no expiry) and the dead-letter subscription.
 * Creating them is idempotent: what exists is reported as existing and left as it is.
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";

/** What setup did to one resource. */
export interface SetupResult {
  kind: "topic" | "subscription";
  name: string;
  status: "created" | "exists";
}

const ALREADY_EXISTS = 6;

async function ensure(
  kind: SetupResult["kind"],
  name: string,
  create: () => Promise<unknown>,
): Promise<SetupResult> {
  try {
    await create();
    return { kind, name, status: "created" };
  } catch (error) {
    if ((error as { code?: number }).code === ALREADY_EXISTS) {
      return { kind, name, status: "exists" };
    }
    throw new Error(`could not create ${kind} ${name}`, { cause: error });
  }
}

function seconds(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** Creates what is missing of the topology `config` names, using `client`. */
export async function ensureTopology(client: PubSub, config: Config): Promise<SetupResult[]> {
  const results = [
    await ensure("topic", config.topic, () => client.createTopic(config.topic)),
    await ensure("topic", config.deadLetterTopic, () => client.createTopic(config.deadLetterTopic)),
  ];
  const deadLetterTopic = client.topic(config.deadLetterTopic).name;
  results.push(
    await ensure(
      "subscription",
      config.subscription,
      () =>
        client.topic(config.topic).createSubscription(config.subscription, {
          ackDeadlineSeconds: Math.round(config.ackDeadline / 1000),
          retryPolicy: {
            minimumBackoff: seconds(config.retryMinBackoff),
            maximumBackoff: seconds(config.retryMaxBackoff),
          },
          deadLetterPolicy: { deadLetterTopic, maxDeliveryAttempts: config.maxDeliveryAttempts },
          expirationPolicy: {},
          // What `replay` needs: acked events kept for the replay window, so a seek to a time
          // brings them back too (without it, only unacked ones come back).
          ...(config.replayWindow > 0
            ? {
              retainAckedMessages: true,
              messageRetentionDuration: seconds(config.replayWindow),
            }
            : {}),
        }),
    ),
    await ensure(
      "subscription",
      config.deadLetterSubscription,
      () =>
        client.topic(config.deadLetterTopic).createSubscription(config.deadLetterSubscription, {
          ackDeadlineSeconds: Math.round(config.ackDeadline / 1000),
          expirationPolicy: {},
        }),
    ),
  );
  return results;
}

/** Deletes the four resources `config` names (bench cases clean up after themselves); returns
 * the failures. */
export async function deleteTopology(client: PubSub, config: Config): Promise<unknown[]> {
  const results = await Promise.allSettled([
    client.subscription(config.subscription).delete(),
    client.subscription(config.deadLetterSubscription).delete(),
    client.topic(config.topic).delete(),
    client.topic(config.deadLetterTopic).delete(),
  ]);
  return results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
}
