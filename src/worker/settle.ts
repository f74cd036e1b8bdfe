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
import type { PubSub } from "@google-cloud/pubsub";
import type { GiveUpReason, ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { AckResult } from "../pubsub/subscriber/ack_result.ts";
import type { Config } from "../config/settings.ts";
import { afterLogWrite, logger } from "../telemetry/log.ts";
import { DeadLetterTooLargeError } from "./dead_letter_message.ts";
import { DeadLetterPublisher } from "./dead_letter_publisher.ts";
import { type Ending, type NackReason, outcomeRecord } from "./outcome.ts";
import type { Tally } from "./tally.ts";
import type { Outcome } from "./pipeline.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";
import { eventIdOf } from "../event/event.ts";

const log = logger("worker");

/** The ending of a dead-letter outcome; `before`: its copy was published on an earlier delivery. */
function deadLettered(
  outcome: Extract<Outcome, { action: "dead-letter" }>,
  key: string | undefined,
  before: boolean,
): Ending {
  return {
    outcome: "dead-lettered",
    eventID: outcome.eventID,
    key,
    failedRuns: outcome.failedRuns,
    reason: outcome.reason,
    detail: before
      ? `${outcome.detail} (its copy was published from another delivery of it: not published ` +
        "again)"
      : outcome.detail,
    handlerMs: outcome.handlerMs,
  };
}

/**
 * What {@linkcode Settler.settle} did: `acked` (handled, a duplicate, or its copy on the
 * dead-letter topic; on exactly-once, the ack sent, whatever Pub/Sub answers), or `nacked`: back
 * to Pub/Sub, which delivers it again (nacked now or after its Retry-After, its dead-letter copy
 * not published, or given back before its outcome came).
 */
export type Settled = "acked" | "nacked";

/** Carries out outcomes for one subscription. */
export class Settler {
  readonly #deadLetters: DeadLetterPublisher;
  readonly #tally: Tally;
  readonly #delayed = new Map<ReceivedMessage, ReturnType<typeof setTimeout>>();

  constructor(
    client: PubSub,
    config: Pick<Config, "deadLetterTopic" | "subscription" | "dedupeFor">,
    tally: Tally,
  ) {
    this.#deadLetters = new DeadLetterPublisher(client, config);
    this.#tally = tally;
  }

  /**
   * Acks, nacks or dead-letters `message` as `outcome` says; `key` is the event's key, when it
   * has one (logged). Resolves with what it did (the outcome may not take: a dead-letter copy
   * that cannot be published is nacked). Never rejects.
   */
  async settle(message: ReceivedMessage, outcome: Outcome, key?: string): Promise<Settled> {
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
        this.#end(message, {
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
        return "nacked";
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
    const timer = this.#delayed.get(message);
    if (timer !== undefined) {
      // Held for its Retry-After: its nacked line was written then; the nack leaves now.
      clearTimeout(timer);
      this.#delayed.delete(message);
      return;
    }
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
  #ack(message: ReceivedMessage, ending: Ending): "acked" {
    if (!message.exactlyOnce) {
      this.#end(message, ending);
      afterLogWrite(() =>
        void message.ack().then((result) => result.ok || this.#ackLost(message, ending, result))
      );
      return "acked";
    }
    void message.ack().then((result) =>
      this.#end(
        message,
        result.ok ? ending : {
          ...ending,
          outcome: "ack-failed",
          reason: result.reason,
          detail: `${ending.outcome === "acked" ? "handled" : ending.outcome}, but Pub/Sub did ` +
            `not confirm the ack: ${result.detail}`,
        },
      )
    );
    return "acked";
  }

  /** An at-least-once ack that could not be sent after its line said acked. */
  #ackLost(
    message: ReceivedMessage,
    ending: Ending,
    result: Extract<AckResult, { ok: false }>,
  ): void {
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
  #late(message: ReceivedMessage, outcome: Outcome): "nacked" {
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
    return "nacked";
  }

  /** Holds `message` (its lease is kept) and nacks it after `delayMs`. */
  #nackLater(message: ReceivedMessage, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#delayed.delete(message);
      void message.nack();
    }, delayMs);
    this.#delayed.set(message, timer);
  }

  /** Nacks now every message held for a later nack (the worker is stopping). */
  releaseDelayed(): number {
    for (const [message, timer] of this.#delayed) {
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
  ): Promise<Settled> {
    // Its copy was published on an earlier delivery given back meanwhile: not a second one.
    if (this.copied(message.id)) return this.#ack(message, deadLettered(outcome, key, true));
    try {
      await this.#deadLetters.publish(message, outcome.reason, outcome.detail);
    } catch (error) {
      if (message.givenUp !== undefined) return this.#late(message, outcome);
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
      this.#end(message, {
        outcome: "nacked",
        eventID: outcome.eventID,
        key,
        failedRuns: outcome.failedRuns,
        reason: never ? "dead-letter-rejected" : "dead-letter-publish-failed",
        detail,
      });
      return "nacked";
    }
    if (message.givenUp !== undefined) return this.#lateCopy(message, outcome);
    return this.#ack(message, deadLettered(outcome, key, false));
  }

  /**
   * Whether this worker published the dead-letter copy of message `messageId` lately: another
   * delivery of it is acked without running the handler again or publishing a second copy (see
   * {@linkcode DeadLetterPublisher.copied}).
   */
  copied(messageId: string): boolean {
    return this.#deadLetters.copied(messageId);
  }

  /** A dead-letter copy published after its message was given back: logged (its next delivery
   * within --dedupe-for is acked without a second copy: see {@linkcode Settler.copied}). */
  #lateCopy(
    message: ReceivedMessage,
    outcome: Extract<Outcome, { action: "dead-letter" }>,
  ): "nacked" {
    log.warning(
      "Event {eventID} was given back ({givenUp}) while its dead-letter copy was published " +
        "(message {messageId}, {reason}): the copy is on the dead-letter topic and the message " +
        "goes back to Pub/Sub; its next delivery here is acked without a second copy",
      {
        eventID: outcome.eventID ?? null,
        messageId: message.id,
        givenUp: message.givenUp,
        reason: outcome.reason,
      },
    );
    return "nacked";
  }

  #end(message: ReceivedMessage, ending: Ending): void {
    this.#tally.record(outcomeRecord(message, ending));
  }
}
