/**
 * The console's Subscription tab: what `status` shows, as data (the topics, both subscriptions'
 * managed settings and their drift from this worker's settings, the topic's snapshots), read
 * from Pub/Sub at most every few seconds however many pages ask; and the one action on it,
 * creating a snapshot (what `event-tool snapshot create` does).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { resourceId } from "../../config/parse.ts";
import { type Config, SETTINGS } from "../../config/settings.ts";
import { describeTarget } from "../../pubsub/client.ts";
import { codeOf, GRPC } from "../../pubsub/grpc_codes.ts";
import { describeSettings, driftOf, shortName } from "../../pubsub/subscription_settings.ts";
import { wantedSettings } from "../../pubsub/topology.ts";

/** One subscription as the tab shows it. */
export interface SubscriptionInfo {
  name: string;
  /** False when it does not exist (run setup). */
  exists: boolean;
  topic?: string;
  settings: [string, string][];
  /** Settings that differ from this worker's: how to change them, or that it must be
   * recreated. */
  drift: { setting: string; now: string; wanted: string; fix: string }[];
}

/** The whole tab. */
export interface SubscriptionView {
  target: string;
  topics: { name: string; exists: boolean }[];
  subscriptions: SubscriptionInfo[];
  snapshots: { name: string; expires?: string }[];
  /** When it was read from Pub/Sub (ISO time). */
  readAt: string;
}

/** How long a read of Pub/Sub is shown before it is read again. */
const FRESH_MS = 5000;

async function subscriptionInfo(client: PubSub, config: Config, name: string) {
  let metadata;
  try {
    [metadata] = await client.subscription(name).getMetadata();
  } catch (error) {
    if (codeOf(error) === GRPC.NOT_FOUND) return { name, exists: false, settings: [], drift: [] };
    throw error;
  }
  const settings = describeSettings(metadata);
  settings.push(["filter", metadata.filter || "none"]);
  const drift = driftOf(metadata, wantedSettings(client, config, name)).map((d) => ({
    setting: d.setting,
    now: d.now,
    wanted: d.wanted,
    fix: d.apply ? `event-tool setup ${SETTINGS.update.flag}` : "cannot change: recreate it",
  }));
  return { name, exists: true, topic: shortName(metadata.topic), settings, drift };
}

/** Reads the tab's data from Pub/Sub. */
export async function readSubscription(client: PubSub, config: Config): Promise<SubscriptionView> {
  const topics = await Promise.all(
    [config.topic, config.deadLetterTopic].map(async (name) => ({
      name,
      exists: (await client.topic(name).exists())[0],
    })),
  );
  const subscriptions = await Promise.all(
    [config.subscription, config.deadLetterSubscription].map((name) =>
      subscriptionInfo(client, config, name)
    ),
  );
  const topicName = client.topic(config.topic).name;
  const [all] = await client.getSnapshots();
  const snapshots = all.filter((s) => s.metadata?.topic === topicName).map((s) => {
    const expires = Number(s.metadata?.expireTime?.seconds ?? 0) * 1000;
    return {
      name: shortName(s.name),
      ...(expires ? { expires: new Date(expires).toISOString() } : {}),
    };
  });
  return {
    target: describeTarget(config),
    topics,
    subscriptions,
    snapshots,
    readAt: new Date().toISOString(),
  };
}

/** A snapshot could not be made: `status` is the HTTP status that says why. */
export class SnapshotError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "SnapshotError";
  }
}

/** The Subscription tab's reads (shared for {@linkcode FRESH_MS}) and its action. */
export class SubscriptionTab {
  readonly #client: PubSub;
  readonly #config: Config;
  #read: { at: number; view: Promise<SubscriptionView> } | undefined;

  constructor(client: PubSub, config: Config) {
    this.#client = client;
    this.#config = config;
  }

  /** The tab's data, read again when older than a few seconds (one read at a time). */
  view(): Promise<SubscriptionView> {
    const now = performance.now();
    if (this.#read === undefined || now - this.#read.at >= FRESH_MS) {
      const view = readSubscription(this.#client, this.#config);
      this.#read = { at: now, view };
      view.catch(() => this.#read = undefined); // a failure is not kept
    }
    return this.#read.view;
  }

  /** Creates snapshot `name` of the subscription; throws a {@linkcode SnapshotError}. */
  async createSnapshot(name: unknown): Promise<string> {
    let valid: string;
    try {
      valid = resourceId(typeof name === "string" ? name : "");
    } catch (error) {
      throw new SnapshotError(
        `snapshot name: got ${JSON.stringify(name)}, expected ${(error as Error).message}`,
        400,
      );
    }
    try {
      await this.#client.subscription(this.#config.subscription).createSnapshot(valid);
    } catch (error) {
      const code = codeOf(error);
      if (code === GRPC.ALREADY_EXISTS) {
        throw new SnapshotError(`snapshot ${valid} already exists, expected a new name`, 409);
      }
      if (code === GRPC.NOT_FOUND) {
        throw new SnapshotError(
          `subscription ${this.#config.subscription} does not exist (run event-tool setup)`,
          404,
        );
      }
      throw error;
    } finally {
      this.#read = undefined;
    }
    return valid;
  }
}
