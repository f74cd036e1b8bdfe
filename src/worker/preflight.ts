/**
 * What the worker checks on Pub/Sub as it starts, beside opening the stream: the dead-letter
 * topic exists (without it, events that can never succeed would be nacked forever), and the
 * subscription's dead-letter policy, whose max delivery attempts the worker then uses, so that
 * the worker, not Pub/Sub, dead-letters an event on its last attempt, with a reason.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { messageOf } from "../base/errors.ts";
import { type Config, nameOf, SETTINGS } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";

const log = logger("worker");

/** What the checks found. */
export interface Preflight {
  /** Stop with this: the dead-letter topic does not exist. */
  fatal?: Error;
  /** The subscription's max delivery attempts, when it has a dead-letter policy. */
  maxDeliveryAttempts?: number;
  /** The subscription delivers in order of ordering key (its events are keyed). */
  ordered?: boolean;
  /** The subscription's retry policy: what its redeliveries wait, so retries in place wait the
   * same (milliseconds). */
  retryBackoff?: { minBackoffMs: number; maxBackoffMs: number };
}

/** A protobuf Duration in milliseconds (its `seconds` may come as a string or a Long). */
function millis(duration: { seconds?: unknown; nanos?: number | null } | null | undefined) {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

/**
 * Checks `config`'s dead-letter topic and reads its subscription's dead-letter policy. What
 * cannot be checked now (Pub/Sub unreachable, the subscription missing: the stream reports that)
 * is logged at debug and left out.
 */
export async function preflight(
  client: PubSub,
  config: Pick<Config, "deadLetterTopic" | "subscription" | "maxDeliveryAttempts">,
): Promise<Preflight> {
  const [topic, subscription] = await Promise.allSettled([
    client.topic(config.deadLetterTopic).exists(),
    client.subscription(config.subscription).getMetadata(),
  ]);
  const found: Preflight = {};
  if (topic.status === "fulfilled" && !topic.value[0]) {
    found.fatal = new Error(
      `the dead-letter topic ${config.deadLetterTopic} does not exist: events that can never ` +
        `succeed would be nacked forever (run \`event-tool setup\`, or set ` +
        `${nameOf("deadLetterTopic")})`,
    );
  } else if (topic.status === "rejected") {
    log.debug("Could not check the dead-letter topic: {error}", { error: topic.reason });
  }
  if (subscription.status === "fulfilled") {
    if (subscription.value[0].enableMessageOrdering) found.ordered = true;
    const retry = subscription.value[0].retryPolicy;
    if (retry) {
      // Pub/Sub's defaults for a field left unset: 10 s and 600 s.
      const min = retry.minimumBackoff ? millis(retry.minimumBackoff) : 10_000;
      const max = retry.maximumBackoff ? millis(retry.maximumBackoff) : 600_000;
      found.retryBackoff = { minBackoffMs: min, maxBackoffMs: Math.max(min, max) };
    }
    const attempts = subscription.value[0].deadLetterPolicy?.maxDeliveryAttempts;
    if (attempts) {
      found.maxDeliveryAttempts = attempts;
      if (attempts !== config.maxDeliveryAttempts) {
        log.warning(
          "The subscription {subscription} dead-letters after {attempts} deliveries (its " +
            "dead-letter policy) but {flag} says {configured}: the worker uses {attempts}, so " +
            "it dead-letters on the last attempt itself, with a reason (run `event-tool setup " +
            "{flag} {configured} {update}` to change the subscription)",
          {
            subscription: config.subscription,
            attempts,
            flag: SETTINGS.maxDeliveryAttempts.flag,
            configured: config.maxDeliveryAttempts,
            update: SETTINGS.update.flag,
          },
        );
      }
    }
  } else if (codeOf(subscription.reason) !== GRPC.NOT_FOUND) {
    log.debug("Could not read the subscription's policy: {error}", {
      error: messageOf(subscription.reason),
    });
  }
  return found;
}

/** What {@linkcode openAfterChecks} tells the worker. */
export interface OpenHooks {
  /** The checks' findings (a fatal one stops the worker). */
  found(found: Preflight): void;
  /** Whether the worker is stopping already. */
  stopping(): boolean;
  /** Opens the subscription; `keyed` when its events have keys (ordered, or --key-from). */
  open(keyed: boolean): void;
}

/**
 * Runs the checks, then opens the subscription: nothing is consumed before them (a missing
 * dead-letter topic stops the worker first), unless Pub/Sub does not answer them within
 * --connect-timeout: then it opens anyway.
 */
export function openAfterChecks(
  client: PubSub,
  config:
    & Pick<Config, "deadLetterTopic" | "subscription" | "maxDeliveryAttempts">
    & Pick<Config, "connectTimeout" | "keyFrom">
    & Parameters<typeof preflight>[1],
  hooks: OpenHooks,
): void {
  let ordered = false;
  const checked = preflight(client, config).then((found) => {
    ordered = found.ordered ?? false;
    hooks.found(found);
    return found.fatal;
  });
  let patience: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<undefined>((r) => {
    patience = setTimeout(() => r(undefined), config.connectTimeout);
  });
  void Promise.race([checked, waited]).then((fatal) => {
    clearTimeout(patience);
    if (fatal !== undefined || hooks.stopping()) return;
    // Keyed work holds, beyond the window, the events that wait for their key: each stream's
    // server-side limit must leave room for them.
    hooks.open(ordered || config.keyFrom !== undefined);
  });
}
