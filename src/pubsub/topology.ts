/**
 * The four resources event-tool works with: the topic, the dead-letter topic, the subscription
 * (ack deadline, retry policy, dead-letter policy, replay window, no expiry) and the dead-letter
 * subscription. Setup creates what is missing; for what exists it compares every setting it
 * manages with the configuration and reports each difference, and applies them when asked.
 */
import type { CreateSubscriptionOptions, PubSub, SubscriptionMetadata } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { type Drift, driftOf, settingsOf } from "./subscription_settings.ts";
import { codeOf, GRPC } from "./grpc_codes.ts";
import { backlogOf, recreateSubscription } from "./recreate.ts";

/** What setup did to one resource. */
export interface SetupResult {
  kind: "topic" | "subscription";
  name: string;
  /** `differs`: exists with other settings (see `drift`); `updated`: those were applied;
   * `recreated`: deleted and created again with them (`recreate`). */
  status: "created" | "exists" | "differs" | "updated" | "recreated";
  /** The settings that differ from the configuration (empty when none). */
  drift: Drift[];
  /** Why a setting in `drift` is not in effect after setup (it cannot change, and no recreate). */
  blocked?: "cannot-change" | { backlog: number };
  /** After a recreate: how long, at most, the subscription did not exist. */
  goneMs?: number;
}

async function ensure(
  kind: SetupResult["kind"],
  name: string,
  create: () => Promise<unknown>,
): Promise<SetupResult> {
  try {
    await create();
    return { kind, name, status: "created", drift: [] };
  } catch (error) {
    if (codeOf(error) === GRPC.ALREADY_EXISTS) {
      return { kind, name, status: "exists", drift: [] };
    }
    throw new Error(`could not create ${kind} ${name}`, { cause: error });
  }
}

/** The settings event-tool gives the subscription `name` (main or dead-letter) of `config`. */
export function wantedSettings(
  client: PubSub,
  config: Config,
  name: string,
): CreateSubscriptionOptions {
  return settingsOf(
    config,
    name === config.subscription ? client.topic(config.deadLetterTopic).name : undefined,
  );
}

/** Compares the existing subscription `name` with `wanted`: what differs, and whether fixable. */
export async function subscriptionDrift(
  client: PubSub,
  name: string,
  wanted: CreateSubscriptionOptions,
): Promise<Drift[]> {
  const [existing] = await client.subscription(name).getMetadata();
  return driftOf(existing, wanted);
}

/** Options for {@linkcode ensureTopology}. */
export interface EnsureOptions {
  /** Apply the differences found on existing subscriptions (`setup --update`). */
  update?: boolean;
  /** Delete and create again a subscription whose differences cannot be applied, when nothing
   * waits on it (`setup --recreate`). */
  recreate?: boolean;
}

/**
 * Creates what is missing of the topology `config` names; compares what exists with `config`,
 * and with `update` applies the settings that can change (others are reported as such).
 */
export async function ensureTopology(
  client: PubSub,
  config: Config,
  options: EnsureOptions = {},
): Promise<SetupResult[]> {
  const results = [
    await ensure("topic", config.topic, () => client.createTopic(config.topic)),
    await ensure("topic", config.deadLetterTopic, () => client.createTopic(config.deadLetterTopic)),
  ];
  for (
    const [name, topic] of [
      [config.subscription, config.topic],
      [config.deadLetterSubscription, config.deadLetterTopic],
    ] as const
  ) {
    const wanted = wantedSettings(client, config, name);
    const result = await ensure(
      "subscription",
      name,
      () => client.topic(topic).createSubscription(name, wanted),
    );
    if (result.status === "exists") {
      result.drift = await subscriptionDrift(client, name, wanted);
      if (result.drift.length > 0) result.status = "differs";
      const fixable = result.drift.filter((d) => d.apply !== undefined);
      if (options.update && fixable.length > 0) {
        await client.subscription(name).setMetadata(
          Object.assign({}, ...fixable.map((d) => d.apply)) as SubscriptionMetadata,
        );
        result.status = "updated";
      }
      if (result.drift.some((d) => d.apply === undefined)) {
        const backlog = options.recreate ? await backlogOf(client, name) : 0;
        if (!options.recreate) result.blocked = "cannot-change";
        else if (backlog > 0) result.blocked = { backlog };
        else {
          result.goneMs = await recreateSubscription(client, name, topic, wanted);
          result.status = "recreated";
        }
      }
    }
    results.push(result);
  }
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
