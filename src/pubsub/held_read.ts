/**
 * One read of a whole subscription by unary pulls, for the operator's commands (dead letters):
 * every message pulled is held (not given back) until the read ends, so no pull returns one
 * already seen, and the read is over once pulls bring nothing new. A message pulled again (its
 * lease ran out, or Pub/Sub delivered it twice) is the same message: its new ack ID is added to
 * it, never seen as a new one. With `lease`, what is held stays leased however long the reader
 * works on it (as the Go client's lease extender does: deadlines pushed forward on one ticker), so
 * no other reader gets it meanwhile; without, nothing is extended and everything is given back
 * the moment the read ends. `end()` gives back what was not acked, at once.
 */
import { asError } from "../base/errors.ts";
import { sleep } from "../base/async.ts";
import { logger } from "../telemetry/log.ts";
import type { Pulled, Puller } from "./pull.ts";

/** Messages per pull. */
const BATCH = 1000;
/** A read ends after this many pulls in a row brought nothing new. */
const IDLE_PULLS = 2;
const IDLE_WAIT_MS = 200;
/** What a lease is extended to, and how often (a third of it, so one missed tick does no harm). */
export const LEASE_SECONDS = 60;
export const EXTEND_EVERY_MS = 20_000;
/** Tries of an ack before its messages are reported as not acked, and the wait before each. */
const ACK_WAITS_MS = [250, 1000];

const log = logger("pubsub");

/** Options for {@linkcode HeldRead}. */
export interface HeldReadOptions {
  /** Keep what is held leased until `end()` (for a read that acts on what it read). Default
   * false: a read that only looks holds nothing longer than it takes to read. */
  lease?: boolean;
}

/** A read of one subscription; see the module comment. */
export class HeldRead {
  readonly #source: Puller;
  /** Held messages by message ID: the latest copy, and every ack ID it was delivered with. */
  readonly #held = new Map<string, { message: Pulled; ackIds: string[] }>();
  readonly #lease: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(source: Puller, options: HeldReadOptions = {}) {
    this.#source = source;
    this.#lease = options.lease === true;
    if (this.#lease) this.#timer = setInterval(() => void this.#extendAll(), EXTEND_EVERY_MS);
  }

  /** Messages held now (not acked). */
  get held(): number {
    return this.#held.size;
  }

  /**
   * Pulls until no pull brings anything new, handing each new message to `visit` once (a
   * message pulled again is not new). Resolves when the subscription has no more to give.
   */
  async read(visit: (message: Pulled) => void): Promise<void> {
    for (let idle = 0; idle < IDLE_PULLS;) {
      const batch = await this.#source.pull(BATCH);
      const fresh: string[] = [];
      let news = 0;
      for (const message of batch) {
        fresh.push(message.ackId);
        const known = this.#held.get(message.messageId);
        if (known) {
          known.ackIds.push(message.ackId);
          continue;
        }
        this.#held.set(message.messageId, { message, ackIds: [message.ackId] });
        news++;
        visit(message);
      }
      if (this.#lease && fresh.length > 0) await this.#extend(fresh);
      if (news > 0) {
        idle = 0;
      } else {
        idle++;
        await sleep(IDLE_WAIT_MS);
      }
    }
  }

  /**
   * Acks the held messages `messageIds` (every ack ID each was delivered with), trying again
   * after a failure; resolves with the IDs that could not be acked (they stay held, and leased).
   */
  async ack(messageIds: readonly string[]): Promise<{ failed: string[]; error?: Error }> {
    const ids = messageIds.filter((id) => this.#held.has(id));
    const ackIds = ids.flatMap((id) => this.#held.get(id)?.ackIds ?? []);
    let error: Error | undefined;
    for (let attempt = 0; attempt <= ACK_WAITS_MS.length; attempt++) {
      try {
        if (ackIds.length > 0) await this.#source.ack(ackIds);
        for (const id of ids) this.#held.delete(id);
        return { failed: [] };
      } catch (caught) {
        error = asError(caught);
        const wait = ACK_WAITS_MS[attempt];
        if (wait === undefined) break;
        log.warning("Acknowledging {count} messages failed, trying again: {error}", {
          count: ids.length,
          error: error.message,
        });
        await sleep(wait);
      }
    }
    return { failed: ids, ...(error ? { error } : {}) };
  }

  /**
   * Ends the read: gives back at once every held message but those in `keep` (they stay leased
   * to this reader until their deadline passes), and closes the puller.
   */
  async end(keep: ReadonlySet<string> = new Set()): Promise<void> {
    clearInterval(this.#timer);
    const back = [...this.#held].filter(([id]) => !keep.has(id)).flatMap(([, h]) => h.ackIds);
    try {
      if (back.length > 0) await this.#source.release(back);
    } catch (error) {
      log.warning("{count} messages come back only after their ack deadline: {error}", {
        count: back.length,
        error,
      });
    } finally {
      await this.#source.close();
    }
  }

  async #extendAll(): Promise<void> {
    const ackIds = [...this.#held.values()].flatMap((h) => h.ackIds);
    if (ackIds.length > 0) await this.#extend(ackIds);
  }

  async #extend(ackIds: string[]): Promise<void> {
    try {
      await this.#source.extend(ackIds, LEASE_SECONDS);
    } catch (error) {
      // The next tick tries again; a message whose lease ran out comes back to this read's next
      // pull, or to another reader, as the same message ID.
      log.warning("Extending the lease of {count} messages failed: {error}", {
        count: ackIds.length,
        error,
      });
    }
  }
}
