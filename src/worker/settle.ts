/**
 * The one place that acks, nacks and dead-letters. An event is acked only after it was handled,
 * or after its copy reached the dead-letter topic; anything else is nacked, so nothing is lost.
 * Every delivery ends here exactly once, recorded in the {@linkcode Tally}: a handler's outcome,
 * or what the subscriber gave up (past --max-lease, held at shutdown); a handler finishing after
 * that is logged as such, never acked. Write-ahead on an at-least-once subscription: an ack
 * leaves only after its outcome line was written (the log sink's next flush), so a crash leaves
 * no acked event without its line. On exactly-once the line follows Pub/Sub's answer: `acked`
 * once it confirmed the ack, else `ack-failed` (a crash between leaves a line missing, none false).
 */
import { messageOf } from "../base/errors.ts";
import type { PubSub, Topic } from "@google-cloud/pubsub";
import { Buffer } from "node:buffer";
import type { GiveUpReason, ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { AckResult } from "../pubsub/subscriber/ack_result.ts";
import type { Config } from "../config/settings.ts";
import { afterLogWrite, logger } from "../telemetry/log.ts";
import { deadLetter, DeadLetterTooLargeError } from "./dead_letter_message.ts";
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
  async settle(message: ReceivedMessage, outcome: Outcome, key?: string): Promise<void> {
    const eventID = outcome.eventID;
    const unrecognised = outcome.unrecognised;
    const failedRuns = outcome.failedRuns;
    // Given back meanwhile: its outcome was recorded then, and Pub/Sub delivers it again.
    if (message.givenUp !== undefined) return this.#late(message, outcome);
    switch (outcome.action) {
      case "duplicate":
        return this.#ack(message, {
          outcome: "duplicate",
          eventID,
          reason: outcome.reason ?? "already-handled",
          unrecognised,
          key,
        });
      case "ack":
        return this.#ack(message, {
          outcome: "acked",
          eventID,
          handlerMs: outcome.handlerMs,
          unrecognised,
          key,
          failedRuns,
        });
      case "nack":
        if (outcome.delayMs !== undefined && outcome.delayMs > 0) {
          this.#nackLater(message, outcome.delayMs);
        } else void message.nack();
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

  /**
   * Gives back a message the subscriber gave up (held past --max-lease, or still held as the
   * worker stops; `handedOver` false: it arrived as pulling stopped): nacked, with its outcome.
   */
  giveBack(message: ReceivedMessage, reason: GiveUpReason, handedOver = true): void {
    if (!handedOver) this.#tally.receive();
    void message.nack();
    this.#end(message, {
      outcome: "nacked",
      eventID: eventIdOf(message.data),
      reason,
      detail: reason === "max-lease"
        ? "held past --max-lease: given back to Pub/Sub"
        : "still held when the worker stopped: given back to Pub/Sub",
    });
  }

  /**
   * Acks `message` and records `ending`: the line, then the ack (write-ahead) on an at-least-once
   * subscription; on exactly-once the line after Pub/Sub's answer, `ack-failed` if it refused.
   */
  #ack(message: ReceivedMessage, ending: Ending): void {
    if (!message.exactlyOnce) {
      this.#end(message, ending);
      return afterLogWrite(() =>
        void message.ack().then((result) => result.ok || this.#ackLost(message, ending, result))
      );
    }
    void message.ack().then((result) =>
      this.#end(
        message,
        result.ok ? ending : {
          outcome: "ack-failed",
          eventID: ending.eventID,
          reason: result.reason,
          detail: `${ending.outcome === "acked" ? "handled" : ending.outcome}, but Pub/Sub did ` +
            `not confirm the ack: ${result.detail}`,
          handlerMs: ending.handlerMs,
          unrecognised: ending.unrecognised,
          key: ending.key,
          failedRuns: ending.failedRuns,
        },
      )
    );
  }

  /** An at-least-once ack that could not be sent after its line said acked. */
  #ackLost(message: ReceivedMessage, ending: Ending, result: AckResult): void {
    if (result.ok) return;
    log.warning(
      "The ack of event {eventID} (message {messageId}) failed after its {line} line " +
        "({reason}: {detail}): Pub/Sub delivers it again",
      {
        eventID: ending.eventID ?? null,
        messageId: message.id,
        line: ending.outcome,
        reason: result.reason,
        detail: result.detail,
      },
    );
  }

  /** A handler's outcome for a message the subscriber gave up meanwhile: logged, not carried out. */
  #late(message: ReceivedMessage, outcome: Outcome): void {
    log.warning(
      "Event {eventID} finished ({action}) after its message {messageId} was given back " +
        "({givenUp}): not acked here; Pub/Sub delivers it again",
      {
        eventID: outcome.eventID ?? null,
        messageId: message.id,
        action: outcome.action,
        givenUp: message.givenUp,
        handlerMs: "handlerMs" in outcome ? outcome.handlerMs : undefined,
      },
    );
  }

  /** Holds `message` (its lease is kept) and nacks it after `delayMs`. */
  #nackLater(message: ReceivedMessage, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#delayed.delete(timer);
      void message.nack();
    }, delayMs);
    this.#delayed.set(timer, message);
  }

  /** Nacks now every message held for a later nack (the worker is stopping). */
  releaseDelayed(): number {
    for (const [timer, message] of this.#delayed) {
      clearTimeout(timer);
      void message.nack();
    }
    const count = this.#delayed.size;
    this.#delayed.clear();
    return count;
  }

  /** Nacks a delivery the pipeline never decided on (the pool closed, or a bug); one already
   * given back (held past --max-lease, recorded then) has nothing left to settle. */
  abandon(message: ReceivedMessage, reason: NackReason, error: unknown, key?: string): void {
    if (message.settled) return;
    void message.nack();
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
      void message.nack();
      return this.#end(message, {
        outcome: "nacked",
        eventID: outcome.eventID,
        key,
        failedRuns: outcome.failedRuns,
        reason: never ? "dead-letter-rejected" : "dead-letter-publish-failed",
        detail,
      });
    }
    this.#ack(message, {
      outcome: "dead-lettered",
      eventID: outcome.eventID,
      key,
      failedRuns: outcome.failedRuns,
      reason: outcome.reason,
      detail: outcome.detail,
      handlerMs: outcome.handlerMs,
    });
  }

  #end(message: ReceivedMessage, ending: Ending): void {
    this.#tally.record(outcomeRecord(message, ending));
  }
}
