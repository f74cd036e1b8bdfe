/**
 * The dead letter for a message: its exact bytes, its own attributes, then why it was
 * dead-lettered and where it came from (its ordering key too), always within Pub/Sub's limits
 * (100 attributes, keys of 256 bytes, values of 1024 bytes, 10 MB a message). An original
 * attribute whose name the worker uses, or that begins with `original.` or Pub/Sub's forwarding
 * prefix, is kept under the `original.` prefix, so {@linkcode restoreOriginal} gives back every
 * original attribute exactly; one that cannot fit is dropped and counted.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";

/** Pub/Sub's limits on a published message. */
export const PUBSUB_LIMITS = {
  attributes: 100,
  keyBytes: 256,
  valueBytes: 1024,
  messageBytes: 10_000_000,
} as const;

/** The attributes the worker adds, in this order (`orderingKey` only when the message has one). */
export const DEAD_LETTER_ATTRIBUTES = [
  "reason",
  "detail",
  "messageId",
  "subscription",
  "deliveryAttempt",
  "orderingKey",
] as const;
/** Prefix of an original attribute whose name the worker uses. */
export const ORIGINAL_PREFIX = "original.";
/** Counts original attributes that could not be kept (present only when some were dropped). */
export const DROPPED_ATTRIBUTE = "droppedAttributes";
/** Attributes Pub/Sub adds when its own dead-letter policy forwards a message. */
export const FORWARDED_PREFIX = "CloudPubSubDeadLetterSource";

/** Why and from where, as the worker knows it. */
export interface DeadLetterCause {
  reason: string;
  detail: string;
  subscription: string;
}

/** The dead letter would exceed Pub/Sub's message size: it can never be published. */
export class DeadLetterTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(
      `the dead letter would be ${bytes} bytes, over Pub/Sub's ${PUBSUB_LIMITS.messageBytes}-byte ` +
        "limit; left to the subscription's dead-letter policy",
    );
    this.name = "DeadLetterTooLargeError";
  }
}

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/** What a dead letter is made from: the message as received (its key, when it has one). */
export type DeadLetterSource =
  & Pick<ReceivedMessage, "id" | "deliveryAttempt" | "attributes">
  & Partial<Pick<ReceivedMessage, "orderingKey">>;

const OURS: ReadonlySet<string> = new Set([...DEAD_LETTER_ATTRIBUTES, DROPPED_ATTRIBUTE]);

/** An original attribute's name on the dead letter: prefixed when it could be read as ours. */
function escaped(key: string): string {
  const ambiguous = OURS.has(key) || key.startsWith(ORIGINAL_PREFIX) ||
    key.startsWith(FORWARDED_PREFIX);
  return ambiguous ? ORIGINAL_PREFIX + key : key;
}

/**
 * The attributes of the dead letter for `message`: what the worker adds (`reason`, `detail`
 * truncated to fit, `messageId`, `subscription`, `deliveryAttempt`, `orderingKey` when it has
 * one) and as many original attributes as fit.
 */
export function deadLetterAttributes(
  message: DeadLetterSource,
  cause: DeadLetterCause,
): Record<string, string> {
  const ours: Record<string, string> = {
    reason: cause.reason,
    detail: truncate(cause.detail),
    messageId: message.id,
    subscription: cause.subscription,
    deliveryAttempt: String(message.deliveryAttempt),
    ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
  };
  const kept: Record<string, string> = {};
  let dropped = 0;
  const room = PUBSUB_LIMITS.attributes - Object.keys(ours).length - 1; // 1 for the count
  for (const [key, value] of Object.entries(message.attributes ?? {})) {
    const name = escaped(key);
    if (Object.keys(kept).length >= room || bytes(name) > PUBSUB_LIMITS.keyBytes) dropped++;
    else kept[name] = value;
  }
  return { ...kept, ...ours, ...(dropped > 0 ? { [DROPPED_ATTRIBUTE]: String(dropped) } : {}) };
}

/** The size Pub/Sub counts for a message: its data and every attribute's key and value. */
export function messageBytes(data: Uint8Array, attributes: Record<string, string>): number {
  let total = data.byteLength;
  for (const [key, value] of Object.entries(attributes)) total += bytes(key) + bytes(value);
  return total;
}

/** The dead letter to publish for `message`; throws {@linkcode DeadLetterTooLargeError} when it
 * cannot fit in a Pub/Sub message. */
export function deadLetter(
  message: DeadLetterSource & Pick<ReceivedMessage, "data">,
  cause: DeadLetterCause,
): { data: Uint8Array; attributes: Record<string, string> } {
  const attributes = deadLetterAttributes(message, cause);
  const size = messageBytes(message.data, attributes);
  if (size > PUBSUB_LIMITS.messageBytes) throw new DeadLetterTooLargeError(size);
  return { data: message.data, attributes };
}

/** `text` cut to the attribute limit, on a character boundary, with `...` when cut. */
export function truncate(text: string): string {
  const encoded = encoder.encode(text);
  if (encoded.length <= PUBSUB_LIMITS.valueBytes) return text;
  return new TextDecoder().decode(encoded.subarray(0, PUBSUB_LIMITS.valueBytes - 3))
    .replace(/\uFFFD$/, "") + "...";
}

/**
 * What a dead letter restores: the message as it was published before it was dead-lettered, its
 * data aside (the dead letter carries it byte for byte).
 */
export interface Original {
  attributes: Record<string, string>;
  /** Its ordering key; undefined when it had none (or a dead letter of an older version). */
  orderingKey: string | undefined;
}

/**
 * The original attributes and ordering key of a dead letter (for `dead-letters requeue`). One
 * forwarded by Pub/Sub's own dead-letter policy has its original attributes and Pub/Sub's
 * `CloudPubSubDeadLetterSource…` ones, which are removed; its key, if the service kept it, is the
 * message's own. One the worker wrote has its attributes under the names {@linkcode escaped}
 * gave them: the worker's own are removed, one `original.` prefix taken off the rest.
 */
export function restoreOriginal(
  letter: { attributes: Readonly<Record<string, string>>; orderingKey?: string | undefined },
): Original {
  const entries = Object.entries(letter.attributes);
  const restored: Record<string, string> = {};
  if (entries.some(([key]) => key.startsWith(FORWARDED_PREFIX))) {
    for (const [key, value] of entries) {
      if (!key.startsWith(FORWARDED_PREFIX)) restored[key] = value;
    }
    return { attributes: restored, orderingKey: letter.orderingKey || undefined };
  }
  for (const [key, value] of entries) {
    if (key.startsWith(ORIGINAL_PREFIX)) restored[key.slice(ORIGINAL_PREFIX.length)] = value;
    else if (!OURS.has(key)) restored[key] = value;
  }
  return { attributes: restored, orderingKey: letter.attributes.orderingKey || undefined };
}
