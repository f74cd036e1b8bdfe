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
import { deadLetter, DeadLetterTooLargeError } from "./dead_letter.ts";
import { type Ending, type NackReason, outcomeRecord, type Tally } from "./outcome.ts";
import type { Outcome } from "./pipeline.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";

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

  /** Acks, nacks or dead-letters `message` as `outcome` says; never rejects. */
  async settle(message: ReceivedMessage, receivedAt: number, outcome: Outcome): Promise<void> {
    const eventID = outcome.eventID;
    const unrecognised = outcome.unrecognised;
    // Given back meanwhile: its outcome was recorded then, and Pub/Sub delivers it again.
    if (message.givenUp !== undefined) return this.#late(message, outcome);
    switch (outcome.action) {
      case "duplicate":
        return this.#ack(message, receivedAt, {
          outcome: "duplicate",
          eventID,
          reason: outcome.reason ?? "already-handled",
          unrecognised,
        });
      case "ack":
        return this.#ack(message, receivedAt, {
          outcome: "acked",
          eventID,
          handlerMs: outcome.handlerMs,
          unrecognised,
        });
      case "nack":
        if (outcome.delayMs !== undefined && outcome.delayMs > 0) {
          this.#nackLater(message, outcome.delayMs);
        } else void message.nack();
        return this.#end(message, receivedAt, {
          outcome: "nacked",
          eventID,
          reason: outcome.reason,
          detail: outcome.delayMs
            ? `${outcome.error.message} (nacked after ${outcome.delayMs} ms, as Retry-After asked)`
            : outcome.error.message,
          handlerMs: outcome.handlerMs,
        });
      case "dead-letter":
        return await this.#deadLetter(message, receivedAt, outcome);
    }
  }

  /**
   * Gives back a message the subscriber gave up (held past --max-lease, or still held as the
   * worker stops; `handedOver` false: it arrived as pulling stopped): nacked, with its outcome.
   */
  giveBack(message: ReceivedMessage, reason: GiveUpReason, handedOver = true): void {
    if (!handedOver) this.#tally.receive();
    void message.nack();
    this.#end(message, message.receivedAt, {
      outcome: "nacked",
      eventID: eventIdOf(message),
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
  #ack(message: ReceivedMessage, receivedAt: number, ending: Ending): void {
    if (!message.exactlyOnce) {
      this.#end(message, receivedAt, ending);
      return afterLogWrite(() =>
        void message.ack().then((result) => result.ok || this.#ackLost(message, ending, result))
      );
    }
    void message.ack().then((result) =>
      this.#end(
        message,
        receivedAt,
        result.ok ? ending : {
          outcome: "ack-failed",
          eventID: ending.eventID,
          reason: result.reason,
          detail: `${ending.outcome === "acked" ? "handled" : ending.outcome}, but Pub/Sub did ` +
            `not confirm the ack: ${result.detail}`,
          handlerMs: ending.handlerMs,
          unrecognised: ending.unrecognised,
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

  /** Nacks a delivery the pipeline never decided on (the pool closed, or a bug). */
  abandon(message: ReceivedMessage, receivedAt: number, reason: NackReason, error: unknown): void {
    void message.nack();
    this.#end(message, receivedAt, {
      outcome: "nacked",
      eventID: undefined,
      reason,
      detail: messageOf(error),
    });
  }

  async #deadLetter(
    message: ReceivedMessage,
    receivedAt: number,
    outcome: Extract<Outcome, { action: "dead-letter" }>,
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
      return this.#end(message, receivedAt, {
        outcome: "nacked",
        eventID: outcome.eventID,
        reason: never ? "dead-letter-rejected" : "dead-letter-publish-failed",
        detail,
      });
    }
    this.#ack(message, receivedAt, {
      outcome: "dead-lettered",
      eventID: outcome.eventID,
      reason: outcome.reason,
      detail: outcome.detail,
      handlerMs: outcome.handlerMs,
    });
  }

  #end(message: ReceivedMessage, receivedAt: number, ending: Ending): void {
    this.#tally.record(outcomeRecord(message, receivedAt, ending));
  }
}

const decoder = new TextDecoder();

/** The `eventID` of `message`'s payload, when it is JSON with one (for a give-back's line). */
function eventIdOf(message: ReceivedMessage): string | undefined {
  try {
    const id = (JSON.parse(decoder.decode(message.data)) as { eventID?: unknown })?.eventID;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
