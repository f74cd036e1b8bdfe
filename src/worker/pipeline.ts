/**
 * What should happen to one delivery: size check → decode → validate (the contract) → dedupe →
 * handle → decide. Pure of Pub/Sub: it returns an {@linkcode Outcome} and settle.ts, the one
 * place that acks, nacks and dead-letters, carries it out.
 */
import { asError } from "../base/errors.ts";
import { SETTINGS } from "../config/settings.ts";
import type { EventContract } from "../event/contract.ts";
import {
  decodeEvent,
  EVENT_TYPE_ATTRIBUTE,
  type EventBody,
  type PaymentMethodCreated,
} from "../event/event.ts";
import type { Claim, Dedupe } from "./dedupe.ts";
import { afterRunningCopy } from "./running_copy.ts";
import { endsWithin } from "../base/async.ts";
import {
  type Handler,
  HandlerTimeoutError,
  RedirectedError,
  RejectedError,
  RetryableError,
} from "./handler.ts";
import type { DeadLetterReason, DuplicateReason } from "./outcome.ts";
import { type Delivery, DeliveryContext } from "./delivery_context.ts";
import type { TypeLabels } from "./type_labels.ts";

export type { Delivery };

/** What every outcome knows of the event. */
interface Known {
  /** The event's `eventID`; undefined when the payload has none (or was not read). */
  eventID: string | undefined;
  /** A valid event that carries a value its contract does not list (counted). */
  unrecognised?: boolean;
  /** Handler runs of the message that failed, this one included (429s not counted); absent
   * when none did. */
  failedRuns?: number;
}

/** What to do with a delivery. */
export type Outcome =
  | Known & { action: "ack"; event: EventBody; handlerMs: number }
  | Known & { action: "duplicate"; event: EventBody; reason?: DuplicateReason }
  | Known & {
    action: "nack";
    event: EventBody;
    reason: "handler-failed" | "redirected" | "shutting-down";
    error: Error;
    handlerMs: number;
    /** Hold the message this long before the nack (the handler asked to retry later). */
    delayMs?: number;
    /** Settles when a timed-out handler call really ends (it keeps its permit until then). */
    abandoned?: Promise<void>;
  }
  | Known & {
    action: "dead-letter";
    event: EventBody | undefined;
    reason: DeadLetterReason;
    detail: string;
    /** How long the handler ran; undefined when it was not called (invalid payload). */
    handlerMs: number | undefined;
    /** Settles when a timed-out handler call really ends (it keeps its permit until then). */
    abandoned?: Promise<void>;
  };

/** What the worker knows of one run beyond its delivery. */
export interface RunInfo {
  /** The key the worker keeps the event's order by (the handler's `context.orderingKey`). */
  readonly key?: string | undefined;
  /** Handler runs of this message that failed before this one, as this process saw them. */
  readonly failedBefore?: number;
  /**
   * A timed-out call of this message that still runs: the handler is not called again beside
   * it. It is waited for, at most `previousWaitMs` (0: no limit); if it still runs then, this
   * run fails as timed out without a call.
   */
  readonly previous?: Promise<void> | undefined;
  /** How long to wait for `previous` (the handler timeout). */
  readonly previousWaitMs?: number;
}

/** Options for {@linkcode processDelivery}. */
export interface ProcessOptions {
  /** What a valid event is, and what it is called. */
  readonly contract: EventContract;
  /** Payloads larger than this many bytes are dead-lettered unread. */
  readonly maxPayloadBytes: number;
  /** Failed handler runs after which an event is dead-lettered (`max-attempts`). */
  readonly maxDeliveryAttempts: number;
  /** Passed to the handler; aborts when the worker gives up on in-flight work. */
  readonly signal: AbortSignal;
  /** Duplicate detection: an event already handled is acked without calling the handler; a copy
   * of one being handled right now is held (its lease kept) and settled with that call: acked
   * as a duplicate when it succeeds, run when it fails. Keyed by `eventID`, or the message ID for
   * an event type without one. */
  readonly dedupe?: Dedupe;
  /** How long such a copy waits for the running call (the handler timeout; 0 or absent: as long
   * as it runs): then it fails as timed out, without a call. A stop (`signal`) ends the wait. */
  readonly busyWaitMs?: number;
  /** Counts events whose `eventType` attribute names another type than the contract's. */
  readonly labels?: TypeLabels;
}

/**
 * Decides the outcome of one delivery. Oversized and invalid payloads can never succeed, so they
 * are dead-lettered at once; an event already handled is acked as a duplicate; a handler failure
 * is nacked (the dispatcher may try it again in place instead), except when the handler has now
 * failed `maxDeliveryAttempts` runs of it: then it is dead-lettered with reason `max-attempts`.
 * A run the service refused with 429 (throttled) is not counted as failed. The handler gets the
 * event with every field, and the exact bytes in its context. Never rejects.
 */
export async function processDelivery(
  delivery: Delivery,
  handler: Handler,
  options: ProcessOptions,
  run: RunInfo = {},
): Promise<Outcome> {
  if (delivery.data.byteLength > options.maxPayloadBytes) return tooLarge(delivery, options);
  const decoded = decodeEvent(delivery.data, options.contract);
  if (!decoded.ok) {
    const { eventID, reason, detail } = decoded;
    return {
      action: "dead-letter",
      event: undefined,
      eventID,
      reason,
      detail,
      handlerMs: undefined,
    };
  }
  const { event, eventID } = decoded;
  options.labels?.check(delivery.attributes[EVENT_TYPE_ATTRIBUTE], options.contract.eventType);
  const unrecognised = options.contract.unrecognised(event);
  const known: Known = { eventID, unrecognised };
  const failedBefore = run.failedBefore ?? 0;
  if (run.previous !== undefined && !await endsWithin(run.previous, run.previousWaitMs)) {
    // Its earlier call timed out and still runs: calling again would run it twice at once.
    const error = new Error(
      `its previous call timed out and still runs after another ${run.previousWaitMs}ms, so ` +
        "the handler was not called again",
    );
    return failure(delivery, options, { event, known, error, handlerMs: 0, failedBefore });
  }
  const key = eventID ?? `message:${delivery.messageId}`;
  // One clock read for the claim and the handler's start, one for the release and its end.
  let started = performance.now();
  let claim: Claim | "settled" | "waited" = options.dedupe?.claim(key, started) ?? "new";
  // Pub/Sub delivered it again while it runs here: never nacked (that would burn a delivery
  // attempt); held, its lease kept, and settled with the running call.
  if (claim === "busy" && options.dedupe) {
    claim = await afterRunningCopy(options.dedupe, key, options);
    started = performance.now();
  }
  if (claim === "settled") {
    return { action: "duplicate", event, ...known, reason: "settled-with-running-copy" };
  }
  if (claim === "waited") return waitedFor(delivery, options, event, known, failedBefore);
  if (claim === "handled") return { action: "duplicate", event, eventID, unrecognised };
  try {
    // Typed as the built-in event; with --schema it is whatever the schema allows.
    await handler(
      event as PaymentMethodCreated,
      new DeliveryContext(delivery, options.signal, options.contract.eventType, run.key),
    );
    const ended = performance.now();
    options.dedupe?.release(key, true, ended);
    const handlerMs = ended - started;
    if (failedBefore === 0) return { action: "ack", event, eventID, unrecognised, handlerMs };
    return { action: "ack", event, eventID, unrecognised, handlerMs, failedRuns: failedBefore };
  } catch (thrown) {
    const handlerMs = performance.now() - started;
    const error = asError(thrown);
    return thrownBy(delivery, options, key, { event, known, error, handlerMs, failedBefore });
  }
}

/** A payload over the size limit: dead-lettered unread. */
function tooLarge(delivery: Delivery, options: ProcessOptions): Outcome {
  return {
    action: "dead-letter",
    event: undefined,
    eventID: undefined,
    reason: "too-large",
    detail: `payload is ${delivery.data.byteLength} bytes, expected at most ` +
      `${options.maxPayloadBytes} (${SETTINGS.maxPayload.flag})`,
    handlerMs: undefined,
  };
}

/**
 * The handler threw: a timed-out call keeps its event marked busy until it really ends (so a
 * redelivered copy waits for it instead of running beside it); a stop nacks it, a rejection
 * dead-letters it, any other failure counts as a failed run.
 */
function thrownBy(delivery: Delivery, options: ProcessOptions, key: string, run: Failed): Outcome {
  const { event, known, error, handlerMs } = run;
  const abandoned = error instanceof HandlerTimeoutError ? error.ended : undefined;
  if (abandoned) abandoned.then(() => options.dedupe?.release(key, false));
  else options.dedupe?.release(key, false);
  const held = abandoned ? { abandoned } : {};
  // The worker gave up on it (shutdown): back to Pub/Sub, never dead-lettered.
  if (options.signal.aborted) {
    return { action: "nack", event, ...known, reason: "shutting-down", error, handlerMs, ...held };
  }
  // The handler says it can never succeed (an HTTP 4xx, say): dead-letter it now.
  if (error instanceof RejectedError) {
    return {
      action: "dead-letter",
      event,
      ...known,
      reason: "rejected",
      detail: error.message,
      handlerMs,
    };
  }
  if (abandoned) run.abandoned = abandoned;
  return failure(delivery, options, run);
}

/** A copy whose event's running call outlasted its wait: nacked at a stop, else a failed run. */
function waitedFor(
  delivery: Delivery,
  options: ProcessOptions,
  event: EventBody,
  known: Known,
  failedBefore: number,
): Outcome {
  if (options.signal.aborted) {
    const error = new Error("the worker stopped while a copy of the event still ran");
    return { action: "nack", event, ...known, reason: "shutting-down", error, handlerMs: 0 };
  }
  const error = new Error(
    `another call of the event still runs after ${options.busyWaitMs}ms, so the handler was ` +
      "not called beside it",
  );
  return failure(delivery, options, { event, known, error, handlerMs: 0, failedBefore });
}

/** A failed run of an event. */
interface Failed {
  event: EventBody;
  known: Known;
  error: Error;
  handlerMs: number;
  /** Failed runs of the message before this one. */
  failedBefore: number;
  /** Settles when a timed-out call really ends. */
  abandoned?: Promise<void>;
}

/** A failed run: nacked, or dead-lettered once the handler has failed the most runs allowed. */
function failure(delivery: Delivery, options: ProcessOptions, run: Failed): Outcome {
  const { event, known, error, handlerMs, abandoned } = run;
  const held = abandoned ? { abandoned } : {};
  // 429: the service asks for a slower pace; it says nothing about the event.
  const throttled = error instanceof RetryableError && error.status === 429;
  const failedRuns = run.failedBefore + (throttled ? 0 : 1);
  if (failedRuns >= options.maxDeliveryAttempts) {
    const n = delivery.deliveryAttempt;
    const deliveries = n > 0 ? ` in ${n} ${n === 1 ? "delivery" : "deliveries"}` : "";
    return {
      action: "dead-letter",
      event,
      ...known,
      reason: "max-attempts",
      detail: `the handler failed ${failedRuns} runs${deliveries}: ${error.message}`,
      handlerMs,
      failedRuns,
      ...held,
    };
  }
  const delayMs = error instanceof RetryableError ? error.retryAfterMs : undefined;
  return {
    action: "nack",
    event,
    ...known,
    reason: error instanceof RedirectedError ? "redirected" : "handler-failed",
    error,
    handlerMs,
    failedRuns,
    ...held,
    ...(delayMs === undefined ? {} : { delayMs }),
  };
}
