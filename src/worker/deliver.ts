/**
 * One run of a message through the worker: the pipeline decides its outcome, the settler carries
 * it out, inside a trace span when tracing is on; or, for a failed run that retry.ts keeps in
 * place, nothing is settled and the dispatcher runs it again after the backoff. Called by the
 * dispatcher inside a pool permit.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { Span } from "@opentelemetry/api";
import { inSpan, tracing } from "../telemetry/tracing.ts";
import { logger } from "../telemetry/log.ts";
import type { Abandoned } from "./abandoned.ts";
import type { Handler } from "./handler.ts";
import type { KeyedEnd } from "./key_scheduler.ts";
import { type Outcome, processDelivery, type ProcessOptions, type RunInfo } from "./pipeline.ts";
import { backoffMs, type FailedRuns, retriesInPlace, type RetryPolicy } from "./retry.ts";
import type { Settler } from "./settle.ts";
import { eventIdOf } from "../event/event.ts";

const log = logger("worker");

/** What every delivery shares. */
export interface DeliverContext {
  readonly subscription: string;
  readonly handler: Handler;
  readonly options: ProcessOptions;
  readonly settler: Settler;
  readonly abandoned: Abandoned;
  /** The failed runs of each message this process saw fail. */
  readonly failures: FailedRuns;
  readonly retry: RetryPolicy;
}

/** A failed run to try again in place, after `retryInMs`. */
export interface Retry {
  readonly retryInMs: number;
}

/** How a run ended for its key: settled (done or nacked), or to be tried again in place. */
export type RunEnd = KeyedEnd | Retry;

/** One run of a message. */
export interface Run {
  /** The event's key (ordering key or `--key-from`); undefined when it has none. */
  readonly key: string | undefined;
  /** Retries in place of this delivery before this run. */
  readonly retries: number;
  /** Told once how the run ended, as soon as that is decided (a timed-out call then still holds
   * its permit: the returned promise resolves only when that call really ends). */
  readonly ended: (end: RunEnd) => void;
}

const FIRST: RunInfo = {};

/**
 * Runs `message` once (its duration counts from its `receivedAt`): decides and settles it, or keeps a failed run for a retry in place, and tells `run.ended`. A handler call
 * that timed out is decided at once, but this resolves, and so gives its pool permit back, only
 * when the call really ends.
 */
export function deliver(
  message: ReceivedMessage,
  context: DeliverContext,
  run: Run,
): Promise<void> {
  // Given back while it waited for a permit, its key or a retry (held past --max-lease, logged
  // there): Pub/Sub delivers it again, so it is not handled now, and its key waits for it.
  if (message.settled) return Promise.resolve(run.ended("nacked"));
  // Without tracing, no span, attributes or closures: this runs once per event.
  if (!tracing()) return decideAndSettle(message, context, run, undefined);
  const attributes = () => ({
    "messaging.system": "gcp_pubsub",
    "messaging.destination.subscription.name": context.subscription,
    "messaging.message.id": message.id,
    "messaging.gcp_pubsub.message.delivery_attempt": message.deliveryAttempt,
  });
  return inSpan(
    "event-tool process",
    attributes,
    (span) => decideAndSettle(message, context, run, span),
  );
}

async function decideAndSettle(
  message: ReceivedMessage,
  context: DeliverContext,
  run: Run,
  span: Span | undefined,
): Promise<void> {
  const failures = context.failures;
  // The message is the delivery: its publish time is made only if the handler reads it.
  const info: RunInfo = run.key === undefined && failures.size === 0 ? FIRST : {
    key: run.key,
    failedBefore: failures.failed(message.id),
    previous: failures.running(message.id),
    previousWaitMs: context.retry.previousWaitMs,
  };
  // Dead-lettered from another delivery of it a moment ago: not run again, no second copy.
  const outcome = context.settler.copied(message.id)
    ? alreadyDeadLettered(message)
    : await processDelivery(message, context.handler, context.options, info);
  span?.setAttribute("event_tool.outcome", outcome.action);
  if (outcome.eventID) span?.setAttribute("event_tool.event_id", outcome.eventID);
  const held = "abandoned" in outcome ? outcome.abandoned : undefined;
  let end: RunEnd | undefined;
  if (outcome.action === "nack" && outcome.failedRuns !== undefined) {
    failures.record(message.id, outcome.failedRuns, held);
    end = retryInPlace(message, outcome, context, run);
  }
  if (end === undefined) {
    // The key goes on only once the message was acked (handled, or its copy dead-lettered); one
    // back in Pub/Sub (nacked, its dead-letter copy not published, or given back meanwhile,
    // whatever the handler did) is delivered again and waited for, its failed runs kept.
    const acked = await context.settler.settle(message, outcome, run.key) === "acked";
    if (acked && failures.size > 0) failures.forget(message.id);
    end = acked ? "done" : "nacked";
  }
  run.ended(end);
  if (held) await context.abandoned.hold(held);
}

/** The outcome of a delivery of a message this worker dead-lettered already. */
function alreadyDeadLettered(message: ReceivedMessage): Outcome {
  const eventID = eventIdOf(message.data);
  return { action: "duplicate", event: {}, eventID, reason: "already-dead-lettered" };
}

/** A retry in place for this failed run, when retry.ts keeps it (the retry is logged). */
function retryInPlace(
  message: ReceivedMessage,
  outcome: Extract<Outcome, { action: "nack" }>,
  context: DeliverContext,
  run: Run,
): Retry | undefined {
  const keyed = run.key !== undefined;
  const maxAttempts = context.options.maxDeliveryAttempts;
  if (
    message.settled ||
    !retriesInPlace(context.retry, message, { keyed, retries: run.retries, maxAttempts })
  ) return undefined;
  const retryInMs = backoffMs(context.retry, run.retries + 1, outcome.delayMs);
  const properties = {
    eventID: outcome.eventID ?? null,
    messageId: message.id,
    deliveryAttempt: message.deliveryAttempt,
    orderingKey: run.key,
    failedRuns: outcome.failedRuns,
    detail: outcome.error.message,
    retryInMs,
  };
  if (keyed) {
    log.warning(
      "Event {eventID} failed (message {messageId}, attempt {deliveryAttempt}, key " +
        "{orderingKey}, {failedRuns} failed runs): {detail}; tried again in place in " +
        "{retryInMs} ms, its key's later events waiting",
      properties,
    );
  } else {
    log.warning(
      "Event {eventID} failed (message {messageId}, attempt {deliveryAttempt}, {failedRuns} " +
        "failed runs): {detail}; tried again in place in {retryInMs} ms, as this is the last " +
        "delivery the subscription allows (a nack would have it forwarded to the dead-letter " +
        "topic)",
      properties,
    );
  }
  context.failures.retriesInPlace++;
  return { retryInMs };
}
