/**
 * How one delivery ended: the outcomes and reasons (`as const` tuples shared by the log field,
 * the metric labels and the docs), the record of one delivery and its log line. tally.ts counts
 * the records.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { AckFailure } from "../pubsub/subscriber/ack_result.ts";
import { INVALID_REASONS } from "../event/event.ts";
import { publishedAt } from "../pubsub/client.ts";
import { logger, logParts } from "../telemetry/log.ts";

/** How a delivery can end. */
export const OUTCOMES = ["acked", "duplicate", "nacked", "dead-lettered", "ack-failed"] as const;
/** One of {@linkcode OUTCOMES}. */
export type OutcomeKind = typeof OUTCOMES[number];

/** Why an event went to the dead-letter topic (its `reason` attribute and metric label). */
export const DEAD_LETTER_REASONS = [
  "too-large",
  ...INVALID_REASONS,
  "max-attempts",
  "rejected",
] as const;
/** One of {@linkcode DEAD_LETTER_REASONS}. */
export type DeadLetterReason = typeof DEAD_LETTER_REASONS[number];

/** Why an event was nacked (its metric label). */
export const NACK_REASONS = [
  "handler-failed",
  "redirected",
  "key-failed",
  "shutting-down",
  "dead-letter-publish-failed",
  "dead-letter-rejected",
  "internal-error",
  "max-lease",
] as const;
/** One of {@linkcode NACK_REASONS}. */
export type NackReason = typeof NACK_REASONS[number];

/** Why a delivery was acked without running the handler. */
export const DUPLICATE_REASONS = [
  "already-handled",
  "settled-with-running-copy",
  "already-dead-lettered",
] as const;
/** One of {@linkcode DUPLICATE_REASONS}. */
export type DuplicateReason = typeof DUPLICATE_REASONS[number];

/**
 * Why an ack failed (outcome `ack-failed`): what Pub/Sub answered, or that it did not (the
 * subscriber's own list; a reason it adds and this one lacks does not compile in settle.ts).
 */
export const ACK_FAILED_REASONS = [
  "invalid-ack-id",
  "permission-denied",
  "failed-precondition",
  "unconfirmed",
  "other",
] as const satisfies readonly AckFailure[];

/** Any reason an outcome carries. */
export type Reason =
  | DeadLetterReason
  | NackReason
  | typeof DUPLICATE_REASONS[number]
  | typeof ACK_FAILED_REASONS[number];

/** How one delivery ended, as logged and counted. */
export interface OutcomeRecord {
  /** How it ended. */
  outcome: OutcomeKind;
  /** The event's ID; `null` when the payload has none (or was not read). */
  eventID: string | null;
  /** The Pub/Sub message ID. */
  messageId: string;
  /** 1 on the first delivery (Pub/Sub's count; 0 without a dead-letter policy). */
  deliveryAttempt: number;
  /** The key the worker keeps the event's order by (ordering key or `--key-from`), if any. */
  orderingKey?: string;
  /** Handler runs of this message that failed so far (retries in place and earlier
   * deliveries, as this process saw them); absent when none did. */
  failedRuns?: number;
  /** From receipt to the outcome, including the wait for a permit. */
  durationMs: number;
  /** How long the handler ran; absent when it did not run. */
  handlerMs?: number;
  /** From publish (the `publishedAt` attribute, else Pub/Sub's publish time) to the outcome. */
  latencyMs: number;
  /** Dead-letter reason, or why the event was nacked or taken as a duplicate. */
  reason?: Reason;
  /** What went wrong, in words. */
  detail?: string;
  /** A valid event carrying a value its contract does not list (built-in: a paymentMethodType
   * other than card or bank_account): handled as usual, and counted. */
  unrecognised?: true;
}

/** What the worker knows of an outcome when it carries it out. */
export interface Ending {
  outcome: OutcomeKind;
  eventID: string | undefined;
  reason?: Reason;
  detail?: string;
  handlerMs?: number | undefined;
  unrecognised?: boolean | undefined;
  /** The event's key, when it has one. */
  key?: string | undefined;
  /** Failed handler runs of the message so far. */
  failedRuns?: number | undefined;
}

/** Milliseconds to two decimals. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The record of `message`, timed from its receipt (`message.receivedAt`). */
export function outcomeRecord(
  message: ReceivedMessage,
  ending: Ending,
): OutcomeRecord {
  const record: OutcomeRecord = {
    outcome: ending.outcome,
    eventID: ending.eventID ?? null,
    messageId: message.id,
    deliveryAttempt: message.deliveryAttempt,
    durationMs: round(performance.now() - message.receivedAt),
    latencyMs: Math.max(0, Date.now() - publishedAt(message)),
  };
  if (ending.key !== undefined) record.orderingKey = ending.key;
  if (ending.failedRuns) record.failedRuns = ending.failedRuns;
  if (ending.handlerMs !== undefined) record.handlerMs = round(ending.handlerMs);
  if (ending.reason !== undefined) record.reason = ending.reason;
  if (ending.detail !== undefined) record.detail = ending.detail;
  if (ending.unrecognised) record.unrecognised = true;
  return record;
}

const log = logger("worker");

/**
 * Logs the record, acked and duplicate at info, an event given back unstarted at a stop at debug
 * (the stop's summary counts them), the rest at warning, in words:
 * `Event <id> nacked in 1.2ms (message 686, attempt 3, key u-7, 4 failed runs): handler-failed:
 * <detail>` (the key and failed runs when there are), or for a payload without an event ID
 * `Message 686 (no event ID) dead-lettered in 0.3ms (attempt 1): …`.
 */
export function logOutcome(record: OutcomeRecord): void {
  const level = record.outcome === "acked" || record.outcome === "duplicate"
    ? "info"
    : record.reason === "shutting-down" && record.handlerMs === undefined
    ? "debug"
    : "warning";
  const parts: unknown[] = record.eventID === null
    ? [
      "Message ",
      record.messageId,
      " (no event ID) ",
      record.outcome,
      " in ",
      record.durationMs,
      "ms (attempt ",
      record.deliveryAttempt,
      "",
    ]
    : [
      "Event ",
      record.eventID,
      " ",
      record.outcome,
      " in ",
      record.durationMs,
      "ms (message ",
      record.messageId,
      ", attempt ",
      record.deliveryAttempt,
      "",
    ];
  // Text and values alternate, values at odd places (the redactor replaces them there).
  const add = (text: string, value: unknown, after = "") => {
    parts[parts.length - 1] += text;
    parts.push(value, after);
  };
  if (record.orderingKey !== undefined) add(", key ", record.orderingKey);
  if (record.failedRuns) {
    add(", ", record.failedRuns, record.failedRuns === 1 ? " failed run" : " failed runs");
  }
  parts[parts.length - 1] += ")";
  if (record.reason) add(": ", record.reason);
  if (record.detail) add(": ", record.detail);
  logParts(log, level, parts, record as unknown as Record<string, unknown>);
}

/** Counts of each outcome. */
export type OutcomeCounts = Record<OutcomeKind, number>;
