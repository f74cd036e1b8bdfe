/**
 * What should happen to one delivery: size check → decode → validate (the contract) → dedupe →
 * handle → decide. Pure of Pub/Sub: it returns an {@linkcode Outcome} and settle.ts, the one
 * place that acks, nacks and dead-letters, carries it out.
 */
import { SETTINGS } from "../config/settings.ts";
import type { EventContract } from "../event/contract.ts";
import { decodeEvent, type EventBody, type PaymentMethodCreated } from "../event/event.ts";
import type { Dedupe } from "./dedupe.ts";
import {
  type Handler,
  type HandlerContext,
  HandlerTimeoutError,
  RedirectedError,
  RejectedError,
  RetryableError,
} from "./handler.ts";
import type { DeadLetterReason, DuplicateReason } from "./outcome.ts";

/** One delivery of a message, as the pipeline sees it. */
export interface Delivery {
  readonly messageId: string;
  readonly data: Uint8Array;
  /** 1 on the first delivery; 0 when the subscription has no dead-letter policy. */
  readonly deliveryAttempt: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** When Pub/Sub accepted the message (read only when asked for: a getter may make it). */
  readonly publishTime: Date;
}

/** What every outcome knows of the event. */
interface Known {
  /** The event's `eventID`; undefined when the payload has none (or was not read). */
  eventID: string | undefined;
  /** A valid event that carries a value its contract does not list (counted). */
  unrecognised?: boolean;
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

/** Options for {@linkcode processDelivery}. */
export interface ProcessOptions {
  /** What a valid event is, and what it is called. */
  readonly contract: EventContract;
  /** Payloads larger than this many bytes are dead-lettered unread. */
  readonly maxPayloadBytes: number;
  /** The delivery on which a failed event is dead-lettered instead of nacked. */
  readonly maxDeliveryAttempts: number;
  /** Passed to the handler; aborts when the worker gives up on in-flight work. */
  readonly signal: AbortSignal;
  /** Duplicate detection: an event already handled is acked without calling the handler; one
   * being handled right now is held until that copy ends: acked if it succeeded, else handled.
   * Keyed by `eventID`, or the message ID for an event type without one. */
  readonly dedupe?: Dedupe;
}

/**
 * What the handler sees of a delivery: read through to it, so nothing is made for fields the
 * handler never reads (the publish time is a Date made on demand).
 */
class DeliveryContext implements HandlerContext {
  readonly #delivery: Delivery;
  readonly #eventType: string;
  readonly signal: AbortSignal;

  constructor(delivery: Delivery, signal: AbortSignal, eventType: string) {
    this.#delivery = delivery;
    this.signal = signal;
    this.#eventType = eventType;
  }

  get messageId(): string {
    return this.#delivery.messageId;
  }
  get deliveryAttempt(): number {
    return this.#delivery.deliveryAttempt;
  }
  get attributes(): Readonly<Record<string, string>> {
    return this.#delivery.attributes;
  }
  get data(): Uint8Array {
    return this.#delivery.data;
  }
  get publishTime(): Date {
    return this.#delivery.publishTime;
  }
  get eventType(): string {
    return this.#delivery.attributes.eventType ?? this.#eventType;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Decides the outcome of one delivery. Oversized and invalid payloads can never succeed, so they
 * are dead-lettered at once; an event already handled is acked as a duplicate; a handler failure
 * is nacked for redelivery, except on the last allowed attempt, where it is dead-lettered with
 * reason `max-attempts`. The handler gets the event with every field, and the exact bytes in its
 * context. Never rejects.
 */
export async function processDelivery(
  delivery: Delivery,
  handler: Handler,
  options: ProcessOptions,
): Promise<Outcome> {
  if (delivery.data.byteLength > options.maxPayloadBytes) {
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
  const decoded = decodeEvent(delivery.data, options.contract);
  if (!decoded.ok) {
    return {
      action: "dead-letter",
      event: undefined,
      eventID: decoded.eventID,
      reason: decoded.reason,
      detail: decoded.detail,
      handlerMs: undefined,
    };
  }
  const { event, eventID } = decoded;
  const unrecognised = options.contract.unrecognised(event);
  const known: Known = { eventID, unrecognised };
  const key = eventID ?? `message:${delivery.messageId}`;
  let claim = options.dedupe?.claim(key) ?? "new";
  // Pub/Sub delivered it again while it runs here: never nacked (that would burn a delivery
  // attempt); held, its lease kept, and settled with the running call.
  while (claim === "busy" && options.dedupe) {
    if (await options.dedupe.released(key)) {
      return { action: "duplicate", event, ...known, reason: "settled-with-running-copy" };
    }
    claim = options.dedupe.claim(key); // it failed: this delivery runs the handler
  }
  if (claim === "handled") return { action: "duplicate", event, eventID, unrecognised };
  const started = performance.now();
  try {
    // Typed as the built-in event; with --schema it is whatever the schema allows.
    await handler(
      event as PaymentMethodCreated,
      new DeliveryContext(delivery, options.signal, options.contract.eventType),
    );
    options.dedupe?.release(key, true);
    return { action: "ack", event, eventID, unrecognised, handlerMs: performance.now() - started };
  } catch (thrown) {
    const error = asError(thrown);
    const handlerMs = performance.now() - started;
    // A timed-out call keeps running: its event stays marked busy until it ends, so a
    // redelivered copy waits for it instead of running beside it.
    const abandoned = error instanceof HandlerTimeoutError ? error.ended : undefined;
    if (abandoned) abandoned.then(() => options.dedupe?.release(key, false));
    else options.dedupe?.release(key, false);
    const held = abandoned ? { abandoned } : {};
    // The worker gave up on it (shutdown): back to Pub/Sub, never dead-lettered.
    if (options.signal.aborted) {
      return {
        action: "nack",
        event,
        ...known,
        reason: "shutting-down",
        error,
        handlerMs,
        ...held,
      };
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
    if (delivery.deliveryAttempt >= options.maxDeliveryAttempts) {
      return {
        action: "dead-letter",
        event,
        ...known,
        reason: "max-attempts",
        detail:
          `failed on delivery ${delivery.deliveryAttempt} of ${options.maxDeliveryAttempts}: ` +
          error.message,
        handlerMs,
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
      ...held,
      ...(delayMs === undefined ? {} : { delayMs }),
    };
  }
}
