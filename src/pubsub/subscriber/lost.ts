/**
 * Whether the subscription was lost after start: deleted, or the worker's permission revoked.
 * Reopening cannot cure NOT_FOUND or PERMISSION_DENIED, so after a few reopens in a row that
 * fail so, the subscriber counts as broken and reports the loss once, and keeps retrying in case
 * the subscription comes back.
 */
import { RETRYABLE } from "./stream.ts";
import { GRPC } from "../grpc_codes.ts";
import { type Report, SubscriptionUnusableError } from "./report.ts";

/** gRPC codes that reopening cannot cure. */
const LOST_CODES: Record<number, string> = {
  [GRPC.NOT_FOUND]: "NOT_FOUND",
  [GRPC.PERMISSION_DENIED]: "PERMISSION_DENIED",
};
/** Reopens that fail so before the subscription counts as lost. */
export const BROKEN_AFTER_REOPENS = 3;

/** The longest wait between reopens (stream.ts's backoff cap). */
const MAX_RETRY_SECONDS = 60;

/** How a stream ended, as {@linkcode LostSubscription.ended} reads it. */
export interface StreamEnd {
  index: number;
  /** gRPC status code (0: it ended by itself). */
  code: number;
  error: Error | undefined;
  /** When it is reopened. */
  delayMs: number;
  /** Nothing was received yet and the subscriber opened moments ago. */
  startingUp: boolean;
}

/** Follows one subscription's stream errors and closes. */
export class LostSubscription {
  readonly #name: string;
  readonly #report: Report;
  /** Per stream, its closes in a row with a code reopening cannot cure. */
  readonly #closes = new Map<number, number>();
  #broken = false;

  constructor(name: string, report: Report) {
    this.#name = name;
    this.#report = report;
  }

  /** The last {@linkcode BROKEN_AFTER_REOPENS} closes all came with a code reopening cannot cure. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * A stream ended. Retryable codes are routine (reported, unless it was a planned end); another
   * code during start-up is fatal (returned: the subscription is missing or not ours); after
   * start it is reported as lasting, and NOT_FOUND or PERMISSION_DENIED on
   * {@linkcode BROKEN_AFTER_REOPENS} reopens in a row mark the subscription lost (reported once).
   */
  ended(end: StreamEnd): SubscriptionUnusableError | undefined {
    const why = end.error?.message ?? `code ${end.code}`;
    if (RETRYABLE.has(end.code)) {
      if (end.code !== GRPC.OK && end.code !== GRPC.DEADLINE_EXCEEDED) this.#ended(end, why, false);
      return undefined;
    }
    if (end.startingUp) return new SubscriptionUnusableError(this.#name, end.code, why);
    if (!this.broken) this.#ended(end, why, true);
    this.#closed(end.index, end.code, MAX_RETRY_SECONDS);
    return undefined;
  }

  #ended({ index, code, error, delayMs }: StreamEnd, why: string, lasting: boolean): void {
    this.#report({ kind: "stream-ended", index, code, error, why, delayMs, lasting });
  }

  #closed(index: number, code: number, retrySeconds: number): void {
    const lost = LOST_CODES[code];
    const closes = lost === undefined ? 0 : (this.#closes.get(index) ?? 0) + 1;
    this.#closes.set(index, closes);
    if (lost === undefined || closes < BROKEN_AFTER_REOPENS || this.#broken) return;
    this.#broken = true;
    this.#report({
      kind: "subscription-lost",
      subscription: this.#name,
      code: lost,
      reopens: BROKEN_AFTER_REOPENS,
      retrySeconds,
    });
  }

  /** A message arrived: the subscription is fine. */
  received(): void {
    this.#closes.clear();
    this.#broken = false;
  }
}
