/**
 * Faults the fake server injects on demand: streams ended after N messages or T ms (the service
 * ends every stream now and then), UNAVAILABLE on the next K calls or for a while, every call left
 * unanswered (a hung service), acks applied late, a share of ack IDs failing transiently once, a
 * share of deliveries expired just before their ack. Random choices come from a seeded generator,
 * so a run can be repeated. The next calls of one method can fail with any status (an INTERNAL
 * error on an ack, which the client library does not retry), and publishes can be answered late.
 */

/** Faults set when the server starts (each can also be changed later). */
export interface FaultOptions {
  /** End each stream (with `endStreamCode`) once it has sent this many messages. */
  endStreamAfterMessages?: number;
  /** End each stream this long after it opened. */
  endStreamAfterMs?: number;
  /** The status a stream is ended with. Default UNAVAILABLE (14), as the service does. */
  endStreamCode?: number;
  /**
   * How long a stream the server decided to end stays open before it ends, neither sending nor
   * reading: what the client writes meanwhile is lost, as it is when a stream is closed under
   * it. Default 100 ms.
   */
  endStreamLingerMs?: number;
  /** Share (0–1) of ack IDs whose first ack fails with a transient failure, not applied. */
  transientAckShare?: number;
  /** Share (0–1) of messages whose delivery expires just before its first ack arrives. */
  expireBeforeAckShare?: number;
  /** Acks (RPC or stream) are applied and answered this late. */
  ackDelayMs?: number;
  /** Publish calls are applied and answered this late. */
  publishDelayMs?: number;
  /** Seed of the random choices. Default 1. */
  seed?: number;
}

/** The fault state of one server. */
export class Faults {
  options: FaultOptions;
  #unavailableCalls = 0;
  #unavailableUntil = 0;
  #hanging = false;
  #seed: number;
  readonly #failedOnce = new Set<string>();
  readonly #expiredOnce = new Set<string>();
  readonly #failing = new Map<string, { calls: number; code: number }>();

  constructor(options: FaultOptions = {}) {
    this.options = options;
    this.#seed = options.seed ?? 1;
  }

  /** The next `calls` calls (unary calls and stream opens) fail with UNAVAILABLE. */
  unavailableNext(calls: number): void {
    this.#unavailableCalls = calls;
  }

  /** The next `calls` calls of `method` (`Acknowledge`, `Publish`, …) fail with `code`. */
  failNext(method: string, calls: number, code: number): void {
    this.#failing.set(method, { calls, code });
  }

  /** The status a call of `method` fails with now, if {@linkcode failNext} said so (consumes
   * one). */
  takeFailure(method: string): number | undefined {
    const failing = this.#failing.get(method);
    if (failing === undefined || failing.calls <= 0) return undefined;
    failing.calls--;
    return failing.code;
  }

  /** Every call fails with UNAVAILABLE until `until` (server clock); open streams end at once. */
  unavailableUntil(until: number): void {
    this.#unavailableUntil = until;
  }

  /** Whether a call arriving at `now` fails with UNAVAILABLE (consumes one of the next K). */
  takeUnavailable(now: number): boolean {
    if (now < this.#unavailableUntil) return true;
    if (this.#unavailableCalls <= 0) return false;
    this.#unavailableCalls--;
    return true;
  }

  /** Whether the server is in an UNAVAILABLE window at `now`. */
  outage(now: number): boolean {
    return now < this.#unavailableUntil;
  }

  /** Answers nothing from now on (calls wait, streams neither send nor apply), or again. */
  set hanging(value: boolean) {
    this.#hanging = value;
  }
  get hanging(): boolean {
    return this.#hanging;
  }

  /** Whether the first ack of `ackId` fails transiently (once per ack ID). */
  failTransiently(ackId: string): boolean {
    const share = this.options.transientAckShare ?? 0;
    if (share <= 0 || this.#failedOnce.has(ackId) || this.random() >= share) return false;
    this.#failedOnce.add(ackId);
    return true;
  }

  /** Whether the delivery of `messageId` expires just before its first ack (once per message). */
  expireBeforeAck(messageId: string): boolean {
    const share = this.options.expireBeforeAckShare ?? 0;
    if (share <= 0 || this.#expiredOnce.has(messageId)) return false;
    this.#expiredOnce.add(messageId);
    return this.random() < share;
  }

  /** A number in [0, 1) from the seeded generator (mulberry32). */
  random(): number {
    let t = (this.#seed = (this.#seed + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
