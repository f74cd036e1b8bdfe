/**
 * One delivery as the pipeline sees it, and what the handler sees of it: its context reads through
 * to the delivery, so nothing is made for fields the handler never reads.
 */
import type { HandlerContext } from "./handler.ts";

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

/**
 * What the handler sees of a delivery: read through to it, so nothing is made for fields the
 * handler never reads (the publish time is a Date made on demand).
 */
export class DeliveryContext implements HandlerContext {
  readonly #delivery: Delivery;
  readonly #eventType: string;
  readonly signal: AbortSignal;
  readonly orderingKey: string | undefined;

  constructor(
    delivery: Delivery,
    signal: AbortSignal,
    eventType: string,
    orderingKey: string | undefined,
  ) {
    this.#delivery = delivery;
    this.signal = signal;
    this.#eventType = eventType;
    this.orderingKey = orderingKey;
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
    return this.#eventType; // the contract's: the label is only counted (type_labels.ts)
  }
}
