/**
 * Publishes the dead-letter copy of a message to the dead-letter topic and remembers, for a
 * while, which messages' copies this worker published, so that another delivery of one is not
 * copied twice. settle.ts decides when a message is dead-lettered and acks or nacks it.
 */
import type { PubSub, Topic } from "@google-cloud/pubsub";
import { Buffer } from "node:buffer";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { Config } from "../config/settings.ts";
import { deadLetter } from "./dead_letter_message.ts";
import type { DeadLetterReason } from "./outcome.ts";

/** Messages remembered at most as dead-lettered (~100 bytes each; the oldest goes first). */
const COPIED_CAPACITY = 1000;

/** The dead-letter topic of one subscription, and the copies this worker published to it. */
export class DeadLetterPublisher {
  readonly #topic: Topic;
  readonly #subscription: string;
  /** Messages whose dead-letter copy this worker published, and when (`performance.now()`). */
  readonly #copied = new Map<string, number>();
  readonly #copiedForMs: number;

  constructor(
    client: PubSub,
    config: Pick<Config, "deadLetterTopic" | "subscription" | "dedupeFor">,
  ) {
    this.#copiedForMs = config.dedupeFor;
    this.#topic = client.topic(config.deadLetterTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 10 },
    });
    this.#subscription = config.subscription;
  }

  /**
   * Publishes the dead-letter copy of `message` and remembers it as copied. Rejects when the copy
   * cannot be built within Pub/Sub's limits (`DeadLetterTooLargeError`) or was not published.
   */
  async publish(
    message: ReceivedMessage,
    reason: DeadLetterReason,
    detail: string,
  ): Promise<void> {
    const letter = deadLetter(message, { reason, detail, subscription: this.#subscription });
    // A Buffer view (no copy): the client walks a plain Uint8Array byte by byte.
    const data = Buffer.from(letter.data.buffer, letter.data.byteOffset, letter.data.byteLength);
    await this.#topic.publishMessage({ data, attributes: letter.attributes });
    this.#copied.delete(message.id); // the most recent last
    this.#copied.set(message.id, performance.now());
    if (this.#copied.size > COPIED_CAPACITY) {
      this.#copied.delete(this.#copied.keys().next().value as string);
    }
  }

  /**
   * Whether this worker published the dead-letter copy of message `messageId` less than
   * `--dedupe-for` ago (at most the last {@linkcode COPIED_CAPACITY}): another delivery of it
   * (its ack lost, given back as the copy left, or a second retry chain) is acked without running
   * the handler again or publishing a second copy. Cheap when none was: a size check.
   */
  copied(messageId: string): boolean {
    if (this.#copied.size === 0) return false;
    const at = this.#copied.get(messageId);
    return at !== undefined && performance.now() - at < this.#copiedForMs;
  }
}
