/**
 * The one place that acks, nacks and dead-letters. An event is acked only after it was handled,
 * or after its copy reached the dead-letter topic; anything else is nacked, so nothing is lost.
 * Every delivery ends here exactly once, and is recorded in the {@linkcode Tally}. Write-ahead:
 * an ack leaves only after the outcome line was written (the log sink's next flush, batched),
 * so a crash at any moment leaves no acked event without its line.
 */
import { messageOf } from "../base/errors.ts";
import type { PubSub, Topic } from "@google-cloud/pubsub";
import { Buffer } from "node:buffer";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { Config } from "../config/settings.ts";
import { afterLogWrite, logger } from "../telemetry/log.ts";
import { deadLetter, DeadLetterTooLargeError } from "./dead_letter.ts";
import { type Ending, type NackReason, outcomeRecord, type Tally } from "./outcome.ts";
import type { Outcome } from "./pipeline.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";
import { eventIdOf } from "../event/event.ts";

const log = logger("worker");

/** Carries out outcomes for one subscription. */
export class Settler {
  readonly #deadLetterTopic: Topic;
  readonly #subscription: string;
  readonly #tally: Tally;
  readonly #delayed = new Map<ReturnType<typeof setTimeout>, ReceivedMessage>();

  constructor(
    client: PubSub,
    config: Pick<Config, "deadLetterTopic" | "subscription">,
    tally: Tally,
  ) {
    this.#deadLetterTopic = client.topic(config.deadLetterTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 10 },
    });
    this.#subscription = config.subscription;
    this.#tally = tally;
  }

  /**
   * Acks, nacks or dead-letters `message` as `outcome` says; `key` is the event's key, when it
   * has one (logged). Never rejects.
   */
  async settle(
    message: ReceivedMessage,
    outcome: Outcome,
    key?: string,
  ): Promise<void> {
    const eventID = outcome.eventID;
    const unrecognised = outcome.unrecognised;
    const failedRuns = outcome.failedRuns;
    switch (outcome.action) {
      case "duplicate":
        this.#end(message, {
          outcome: "duplicate",
          eventID,
          reason: "already-handled",
          unrecognised,
          key,
        });
        return afterLogWrite(() => message.ack());
      case "ack":
        this.#end(message, {
          outcome: "acked",
          eventID,
          handlerMs: outcome.handlerMs,
          unrecognised,
          key,
          failedRuns,
        });
        return afterLogWrite(() => message.ack());
      case "nack":
        if (outcome.delayMs !== undefined && outcome.delayMs > 0) {
          this.#nackLater(message, outcome.delayMs);
        } else message.nack();
        return this.#end(message, {
          outcome: "nacked",
          eventID,
          key,
          failedRuns,
          reason: outcome.reason,
          detail: outcome.delayMs
            ? `${outcome.error.message} (nacked after ${outcome.delayMs} ms, as Retry-After asked)`
            : outcome.error.message,
          handlerMs: outcome.handlerMs,
        });
      case "dead-letter":
        return await this.#deadLetter(message, outcome, key);
    }
  }

  /** Holds `message` (its lease is kept) and nacks it after `delayMs`. */
  #nackLater(message: ReceivedMessage, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#delayed.delete(timer);
      message.nack();
    }, delayMs);
    this.#delayed.set(timer, message);
  }

  /** Nacks now every message held for a later nack (the worker is stopping). */
  releaseDelayed(): number {
    for (const [timer, message] of this.#delayed) {
      clearTimeout(timer);
      message.nack();
    }
    const count = this.#delayed.size;
    this.#delayed.clear();
    return count;
  }

  /** Nacks a delivery the pipeline never decided on (the pool closed, or a bug); one already
   * given back (held past --max-lease, logged there) has nothing left to settle. */
  abandon(
    message: ReceivedMessage,
    reason: NackReason,
    error: unknown,
    key?: string,
  ): void {
    if (message.settled) return;
    message.nack();
    this.#end(message, {
      outcome: "nacked",
      eventID: eventIdOf(message.data), // never decoded, but its line names it when it can
      key,
      reason,
      detail: messageOf(error),
    });
  }

  async #deadLetter(
    message: ReceivedMessage,
    outcome: Extract<Outcome, { action: "dead-letter" }>,
    key: string | undefined,
  ): Promise<void> {
    try {
      const letter = deadLetter(message, {
        reason: outcome.reason,
        detail: outcome.detail,
        subscription: this.#subscription,
      });
      // A Buffer view (no copy): the client walks a plain Uint8Array byte by byte.
      const data = Buffer.from(letter.data.buffer, letter.data.byteOffset, letter.data.byteLength);
      await this.#deadLetterTopic.publishMessage({ data, attributes: letter.attributes });
    } catch (error) {
      // Not on the dead-letter topic, so not acked: Pub/Sub will deliver it again (on Google
      // Cloud the subscription's own dead-letter policy forwards it after the last attempt).
      const never = error instanceof DeadLetterTooLargeError ||
        codeOf(error) === GRPC.INVALID_ARGUMENT; // never accepted as it is
      const detail = messageOf(error);
      if (never) {
        log.error("Event {eventID} cannot be dead-lettered (message {messageId}): {detail}", {
          eventID: outcome.eventID ?? null,
          messageId: message.id,
          detail,
        });
      }
      message.nack();
      return this.#end(message, {
        outcome: "nacked",
        eventID: outcome.eventID,
        key,
        failedRuns: outcome.failedRuns,
        reason: never ? "dead-letter-rejected" : "dead-letter-publish-failed",
        detail,
      });
    }
    this.#end(message, {
      outcome: "dead-lettered",
      eventID: outcome.eventID,
      key,
      failedRuns: outcome.failedRuns,
      reason: outcome.reason,
      detail: outcome.detail,
      handlerMs: outcome.handlerMs,
    });
    afterLogWrite(() => message.ack());
  }

  #end(message: ReceivedMessage, ending: Ending): void {
    this.#tally.record(outcomeRecord(message, ending));
  }
}
