/**
 * How one delivery ended: the record the worker counts, logs (one line per delivery, with the
 * event's ID, so every event can be accounted for) and hands to its listeners.
 */
import type { Message } from "@google-cloud/pubsub";
import { peekEventID } from "../event/event.ts";
import { logger } from "../telemetry/log.ts";
import { publishedAt } from "../pubsub/client.ts";

/** How one delivery ended, as logged and counted. */
export interface OutcomeRecord {
  outcome: "acked" | "duplicate" | "nacked" | "dead-lettered";
  /** The event's ID; `null` when the payload has none. */
  eventID: string | null;
  messageId: string;
  deliveryAttempt: number;
  /** From receipt to the outcome, including the wait for a permit. */
  durationMs: number;
  /** How long the handler ran; absent when it did not run. */
  handlerMs?: number;
  /** From publish (the `publishedAt` attribute, else Pub/Sub's publish time) to the outcome. */
  latencyMs?: number;
  /** Dead-letter reason, or why the event was nacked. */
  reason?: string;
  detail?: string;
}

/** Why a delivery ended as it did, and how long its handler ran. */
export interface OutcomeReason {
  reason?: string;
  detail?: string;
  handlerMs?: number;
}

const log = logger("worker");

/** Milliseconds to two decimals. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The record of `message`'s outcome, received at `started` (a `performance.now()` value). */
export function outcomeRecord(
  message: Message,
  started: number,
  eventID: string | undefined,
  outcome: OutcomeRecord["outcome"],
  why: OutcomeReason,
): OutcomeRecord {
  return {
    outcome,
    eventID: eventID ?? peekEventID(message.data) ?? null,
    messageId: message.id,
    deliveryAttempt: message.deliveryAttempt,
    durationMs: round(performance.now() - started),
    latencyMs: Math.max(0, Date.now() - publishedAt(message)),
    ...why,
  };
}

/** Logs the record: acked and duplicate at info, the rest at warning. */
export function logOutcome(record: OutcomeRecord): void {
  const level = record.outcome === "acked" || record.outcome === "duplicate" ? "info" : "warning";
  if (!log.isEnabledFor(level)) return;
  const text = "Event {eventID} {outcome} in {durationMs}ms (message {messageId}, attempt " +
    "{deliveryAttempt})" + (record.reason ? ": {reason}" : "");
  log[level](text, { ...record });
}
