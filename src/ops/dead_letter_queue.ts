/**
 * The dead-letter subscription as an operator works it, shared by `dead-letters`, `status` and the
 * console: read every dead letter once, group them by reason, show the ones that match, and
 * requeue them to the main topic.
 *
 * A requeue is idempotent. It first reads the whole subscription, holding every dead letter
 * (leases extended however long it runs, so no other reader takes one meanwhile) and counting
 * each message ID once however often Pub/Sub delivers it; it can then refuse when the selection
 * is not the one an operator confirmed (`expect`). Each chosen dead letter is published again
 * with its original attributes and ordering key (dead_letter.ts restores them) plus
 * `requeuedFrom`, its own message ID, and its dead letter is acked only after that publish
 * succeeded; an ack that fails is tried again, and a copy whose dead letter still could not be
 * acked is reported (its `requeuedFrom` tells the two copies apart). What it did not requeue is
 * given back at once. A peek (and `--dry-run`) reads the same way without extending anything.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { Buffer } from "node:buffer";
import { asError } from "../base/errors.ts";
import { eventIdOf } from "../event/event.ts";
import { HeldRead } from "../pubsub/held_read.ts";
import { type Pulled, puller } from "../pubsub/pull.ts";
import { FORWARDED_PREFIX, restoreOriginal } from "../worker/dead_letter_message.ts";

/** The attribute of a requeued copy that names the dead letter it came from (its message ID). */
export const REQUEUED_FROM = "requeuedFrom";
/** Dead letters published at once by a requeue (progress is reported after each chunk). */
const CHUNK = 100;

/** Which dead letters an action applies to (each unset: any). */
export interface DeadLetterFilter {
  reason?: string | undefined;
  eventId?: string | undefined;
  /** Dead letters by their own message ID (on the dead-letter subscription). */
  messageIds?: ReadonlySet<string> | undefined;
}

/** The reason of a dead letter: the worker's `reason`, or `forwarded` by Pub/Sub's own policy. */
export function reasonOf(message: Pick<Pulled, "attributes">): string {
  const attributes = message.attributes;
  const forwarded = Object.keys(attributes).some((k) => k.startsWith(FORWARDED_PREFIX));
  if (forwarded) return "forwarded";
  return attributes.reason || "unknown";
}

/** What people are shown of a dead letter (the CLI's peek, the console's list). */
export interface DeadLetterFacts {
  reason: string;
  detail: string | undefined;
  /** The delivery attempt it was dead-lettered on, as written on it. */
  attempt: string | undefined;
  eventId: string | undefined;
  /** The message's ID on the main subscription. */
  originalMessageId: string | undefined;
  orderingKey: string | undefined;
  deadLetteredAt: Date;
}

/** The facts of `message`, written by the worker or forwarded by Pub/Sub's policy. */
export function factsOf(message: Pulled): DeadLetterFacts {
  const a = message.attributes;
  const forwarded = reasonOf(message) === "forwarded";
  return {
    reason: reasonOf(message),
    detail: forwarded ? undefined : a.detail,
    attempt: forwarded ? a[`${FORWARDED_PREFIX}DeliveryCount`] : a.deliveryAttempt,
    eventId: eventIdOf(message.data),
    originalMessageId: forwarded ? a[`${FORWARDED_PREFIX}MessageId`] : a.messageId,
    orderingKey: restoreOriginal(message).orderingKey,
    deadLetteredAt: message.publishTime,
  };
}

/** Whether `message` passes `filter`. */
export function matches(filter: DeadLetterFilter, message: Pulled): boolean {
  return (filter.reason === undefined || reasonOf(message) === filter.reason) &&
    (filter.messageIds === undefined || filter.messageIds.has(message.messageId)) &&
    (filter.eventId === undefined || eventIdOf(message.data) === filter.eventId);
}

/** What a read of the dead-letter subscription found and did. */
export interface DeadLetterReport {
  /** Dead letters that passed the filter. */
  matched: number;
  /** Of those, republished to the topic and acked. */
  requeued: number;
  /** Of those, not republished (the publish failed); they remain. */
  failed: number;
  /** Of those, republished but their dead letter could not be acked: it remains, and a later
   * requeue would publish it again. */
  unacked: number;
  /** The first publish or ack failure. */
  firstError?: Error;
  /** Dead letters left on the subscription when the read ended (matching or not). */
  remaining: number;
  /** Every dead letter read, by reason (matching or not). */
  byReason: Map<string, number>;
}

/** Options for {@linkcode peekDeadLetters}. */
export interface PeekOptions {
  filter: DeadLetterFilter;
  /** Keep (with their bodies) at most this many of the matching dead letters. */
  keep: number;
}

/**
 * Reads every dead letter on `subscription` without acking any; returns the counts and the first
 * `keep` that match. Everything read is given back the moment the read ends.
 */
export async function peekDeadLetters(
  client: PubSub,
  subscription: string,
  options: PeekOptions,
): Promise<DeadLetterReport & { shown: Pulled[] }> {
  const report = emptyReport();
  const shown: Pulled[] = [];
  const read = new HeldRead(puller(client, subscription));
  try {
    await read.read((message) => {
      if (!see(report, options.filter, message)) return;
      if (shown.length < options.keep) shown.push(message);
    });
    report.remaining = read.held;
  } finally {
    await read.end();
  }
  return { ...report, shown };
}

/** The selection is not the one confirmed: `matched` dead letters match now, not `expected`. */
export class SelectionChangedError extends Error {
  constructor(readonly matched: number, readonly expected: number) {
    super(
      `${matched} dead letters match now, not the ${expected} confirmed; nothing was requeued ` +
        "(look again, then confirm the new count)",
    );
    this.name = "SelectionChangedError";
  }
}

/** Options for {@linkcode requeueDeadLetters}. */
export interface RequeueOptions {
  filter: DeadLetterFilter;
  /** The topic the events go back to. */
  topic: string;
  /** Requeue at most this many. Default: every match. */
  limit?: number | undefined;
  /** Requeue only if exactly this many match (what a confirmation showed); otherwise nothing is
   * requeued and {@linkcode SelectionChangedError} is thrown. */
  expect?: number | undefined;
  /** Called after each chunk: how many of the chosen dead letters are done (requeued or failed). */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Republishes every dead letter on `subscription` that matches (up to `limit`) to `topic` as it
 * was first published (see the module comment), acking each only once its publish succeeded; a
 * failed publish leaves its dead letter in place. Resolves with what it did; rejects when Pub/Sub
 * cannot be read, or with {@linkcode SelectionChangedError}.
 */
export async function requeueDeadLetters(
  client: PubSub,
  subscription: string,
  options: RequeueOptions,
): Promise<DeadLetterReport> {
  const report = emptyReport();
  const limit = options.limit ?? Infinity;
  const chosen: Pulled[] = [];
  const read = new HeldRead(puller(client, subscription), { lease: true });
  const published = new Set<string>();
  try {
    await read.read((message) => {
      if (see(report, options.filter, message) && chosen.length < limit) chosen.push(message);
    });
    if (options.expect !== undefined && report.matched !== options.expect) {
      throw new SelectionChangedError(report.matched, options.expect);
    }
    // A key's dead letters go back in the order they were dead-lettered.
    chosen.sort((a, b) => a.publishTime.getTime() - b.publishTime.getTime());
    const topic = client.topic(options.topic, { messageOrdering: true });
    for (let i = 0; i < chosen.length; i += CHUNK) {
      const chunk = chosen.slice(i, i + CHUNK);
      const results = await Promise.allSettled(chunk.map((message) => {
        const original = restoreOriginal(message);
        return topic.publishMessage({
          data: Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength),
          attributes: { ...original.attributes, [REQUEUED_FROM]: message.messageId },
          ...(original.orderingKey === undefined ? {} : { orderingKey: original.orderingKey }),
        }).catch((error) => {
          if (original.orderingKey !== undefined) topic.resumePublishing(original.orderingKey);
          throw error;
        });
      }));
      const done: string[] = [];
      results.forEach((result, j) => {
        if (result.status === "fulfilled") return done.push(chunk[j]!.messageId);
        report.failed++;
        report.firstError ??= asError(result.reason);
      });
      // Published first; only then is the dead letter acked: never lost in between.
      for (const id of done) published.add(id);
      const acked = await read.ack(done);
      report.unacked += acked.failed.length;
      if (acked.error) report.firstError ??= acked.error;
      report.requeued += done.length - acked.failed.length;
      options.onProgress?.({ done: Math.min(i + CHUNK, chosen.length), total: chosen.length });
    }
    report.remaining = read.held;
  } finally {
    // A published copy whose dead letter could not be acked is not given back: it stays leased
    // here until its deadline, rather than being handed at once to another requeue.
    await read.end(published);
  }
  return report;
}

function emptyReport(): DeadLetterReport {
  return { matched: 0, requeued: 0, failed: 0, unacked: 0, remaining: 0, byReason: new Map() };
}

/** Counts `message` in `report` by reason and, if it passes `filter`, as matched. */
function see(report: DeadLetterReport, filter: DeadLetterFilter, message: Pulled): boolean {
  const reason = reasonOf(message);
  report.byReason.set(reason, (report.byReason.get(reason) ?? 0) + 1);
  if (!matches(filter, message)) return false;
  report.matched++;
  return true;
}
