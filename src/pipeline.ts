/**
 * What should happen to one delivery: decode → validate → handle → decide. Pure of Pub/Sub: it
 * returns an {@linkcode Outcome} and the worker carries it out (worker.ts is the one place that
 * acks, nacks and dead-letters).
 */
import { decodeEvent, type InvalidReason, type PaymentMethodCreated } from "./event.ts";
import type { Handler } from "./handler.ts";

/** Why an event went to the dead-letter topic (its `reason` attribute). */
export type DeadLetterReason = InvalidReason | "max-attempts";

/** One delivery of a message, as the pipeline sees it. */
export interface Delivery {
  readonly messageId: string;
  readonly data: Uint8Array;
  /** 1 on the first delivery; 0 when the subscription has no dead-letter policy. */
  readonly deliveryAttempt: number;
}

/** What to do with a delivery. */
export type Outcome =
  | { action: "ack"; event: PaymentMethodCreated }
  | { action: "nack"; event: PaymentMethodCreated; error: Error }
  | {
    action: "dead-letter";
    event: PaymentMethodCreated | undefined;
    reason: DeadLetterReason;
    detail: string;
  };

/** Options for {@linkcode processDelivery}. */
export interface ProcessOptions {
  /** The delivery on which a failed event is dead-lettered instead of nacked. */
  readonly maxDeliveryAttempts: number;
  /** Passed to the handler; aborts when the worker gives up on in-flight work. */
  readonly signal: AbortSignal;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Decides the outcome of one delivery. Invalid payloads can never succeed, so they are
 * dead-lettered at once; a handler failure is nacked for redelivery, except on the last allowed
 * attempt, where it is dead-lettered with reason `max-attempts`. Never rejects.
 */
export async function processDelivery(
  delivery: Delivery,
  handler: Handler,
  options: ProcessOptions,
): Promise<Outcome> {
  const decoded = decodeEvent(delivery.data);
  if (!decoded.ok) {
    return {
      action: "dead-letter",
      event: undefined,
      reason: decoded.reason,
      detail: decoded.detail,
    };
  }
  const { event } = decoded;
  try {
    await handler(event, {
      signal: options.signal,
      messageId: delivery.messageId,
      deliveryAttempt: delivery.deliveryAttempt,
    });
    return { action: "ack", event };
  } catch (thrown) {
    const error = asError(thrown);
    if (delivery.deliveryAttempt >= options.maxDeliveryAttempts) {
      return {
        action: "dead-letter",
        event,
        reason: "max-attempts",
        detail:
          `failed on delivery ${delivery.deliveryAttempt} of ${options.maxDeliveryAttempts}: ` +
          error.message,
      };
    }
    return { action: "nack", event, error };
  }
}
