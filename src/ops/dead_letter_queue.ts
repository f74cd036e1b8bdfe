/**
 * The dead-letter subscription as an operator works it, shared by `dead-letters`, `status` and
 * (later) the console: walk every dead letter once, read its reason, show the ones that match, and
 * requeue them to the main topic, each acked only after its event was published again. A walk
 * holds what it pulled until it ends (so a pull never returns the same letter twice), then gives
 * back at once what it did not requeue: nothing is lost, and what remains is counted.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { messageOf } from "../base/errors.ts";
import { sleep } from "../base/async.ts";
import { eventIdOf } from "../event/event.ts";
import { type Pulled, type Puller, puller } from "../pubsub/pull.ts";
import { logger } from "../telemetry/log.ts";
import { FORWARDED_PREFIX, originalAttributes } from "../worker/dead_letter_message.ts";

const log = logger("dead-letters");
/** Messages per pull. */
const BATCH = 1000;
/** A walk ends after this many pulls in a row brought nothing new. */
const IDLE_PULLS = 2;
const IDLE_WAIT_MS = 200;

/** Which dead letters an action applies to (each unset: any). */
export interface DeadLetterFilter {
  reason?: string | undefined;
  eventId?: string | undefined;
}

/** The reason of a dead letter: the worker's `reason`, or `forwarded` by Pub/Sub's own policy. */
export function reasonOf(message: Pick<Pulled, "attributes">): string {
  const attributes = message.attributes;
  if (attributes.reason) return attributes.reason;
  const forwarded = Object.keys(attributes).some((k) => k.startsWith(FORWARDED_PREFIX));
  return forwarded ? "forwarded" : "unknown";
}

/** Whether `message` passes `filter`. */
export function matches(filter: DeadLetterFilter, message: Pulled): boolean {
  return (filter.reason === undefined || reasonOf(message) === filter.reason) &&
    (filter.eventId === undefined || eventIdOf(message.data) === filter.eventId);
}

/** What a walk over the dead-letter subscription found and did. */
export interface DeadLetterReport {
  /** Dead letters that passed the filter. */
  matched: number;
  /** Of those, republished to the topic and acked. */
  requeued: number;
  /** Of those, not republished (the publish failed); they remain. */
  failed: number;
  /** The first publish failure. */
  firstError?: Error;
  /** Dead letters left on the subscription when the walk ended (matching or not). */
  remaining: number;
}

/** Options for {@linkcode peekDeadLetters}. */
export interface PeekOptions {
  filter: DeadLetterFilter;
  /** Keep (with their bodies) at most this many of the matching dead letters. */
  keep: number;
}

/**
 * Reads every dead letter on `subscription` without acking any; returns the counts and the first
 * `keep` that match. Everything read is given back at once when the walk ends.
 */
export async function peekDeadLetters(
  client: PubSub,
  subscription: string,
  options: PeekOptions,
): Promise<DeadLetterReport & { shown: Pulled[] }> {
  const shown: Pulled[] = [];
  let matched = 0;
  const remaining = await walk(puller(client, subscription), (batch) => {
    for (const message of batch) {
      if (!matches(options.filter, message)) continue;
      matched++;
      if (shown.length < options.keep) shown.push(message);
    }
    return Promise.resolve(new Set());
  });
  return { matched, requeued: 0, failed: 0, remaining, shown };
}

/** Options for {@linkcode requeueDeadLetters}. */
export interface RequeueOptions {
  filter: DeadLetterFilter;
  /** The topic the events go back to. */
  topic: string;
  /** Requeue at most this many. Default: every match. */
  limit?: number | undefined;
  /** Called after each batch with the report so far. */
  onProgress?: (report: Readonly<DeadLetterReport>) => void;
}

/**
 * Republishes every dead letter on `subscription` that matches (up to `limit`) to `topic` with
 * its original data and attributes, and acks each only once its publish succeeded; a failed
 * publish leaves its dead letter in place. Resolves with what it did; rejects only when Pub/Sub
 * cannot be read or acked.
 */
export async function requeueDeadLetters(
  client: PubSub,
  subscription: string,
  options: RequeueOptions,
): Promise<DeadLetterReport> {
  const report: DeadLetterReport = { matched: 0, requeued: 0, failed: 0, remaining: 0 };
  const limit = options.limit ?? Infinity;
  const topic = client.topic(options.topic);
  const source = puller(client, subscription);
  report.remaining = await walk(source, async (batch) => {
    const chosen: Pulled[] = [];
    for (const message of batch) {
      if (!matches(options.filter, message)) continue;
      report.matched++;
      if (report.requeued + report.failed + chosen.length < limit) chosen.push(message);
    }
    // Published again first; only then is the dead-letter copy acked: never lost in between.
    const published = await Promise.allSettled(
      chosen.map((message) =>
        topic.publishMessage({
          data: message.data,
          attributes: originalAttributes(message.attributes),
        })
      ),
    );
    const done: Pulled[] = [];
    published.forEach((result, i) => {
      if (result.status === "fulfilled") return done.push(chosen[i]!);
      report.failed++;
      report.firstError ??= result.reason instanceof Error
        ? result.reason
        : new Error(messageOf(result.reason));
    });
    await source.ack(done.map((m) => m.ackId));
    report.requeued += done.length;
    options.onProgress?.(report);
    return new Set(done.map((m) => m.messageId));
  });
  return report;
}

/**
 * Pulls every message of `source` once, handing each new batch to `visit`, which returns the
 * message IDs it acked. The rest are held (not given back, so later pulls bring only others)
 * until no pull brings anything new, then released at once; a held message whose lease ran out
 * and came back is held under its new ack ID. Resolves with how many remain; closes `source`.
 */
async function walk(
  source: Puller,
  visit: (batch: Pulled[]) => Promise<Set<string>>,
): Promise<number> {
  const held = new Map<string, string>(); // message ID → ack ID
  const acked = new Set<string>();
  try {
    for (let idle = 0; idle < IDLE_PULLS;) {
      const fresh: Pulled[] = [];
      const again: string[] = [];
      for (const message of await source.pull(BATCH)) {
        if (acked.has(message.messageId)) again.push(message.ackId); // its ack was lost
        else if (held.has(message.messageId)) held.set(message.messageId, message.ackId);
        else fresh.push(message);
      }
      if (again.length > 0) await source.ack(again);
      if (fresh.length === 0) {
        idle++;
        await sleep(IDLE_WAIT_MS);
        continue;
      }
      idle = 0;
      const done = await visit(fresh);
      for (const message of fresh) {
        if (done.has(message.messageId)) acked.add(message.messageId);
        else held.set(message.messageId, message.ackId);
      }
    }
    return held.size;
  } finally {
    // Given back at once, to be read again; if that fails they come back when their ack deadline
    // passes.
    await source.release([...held.values()]).catch((error) =>
      log.warning("{count} dead letters come back only after their ack deadline: {error}", {
        count: held.size,
        error,
      })
    );
    await source.close();
  }
}
