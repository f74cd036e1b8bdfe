/**
 * Whether the subscription was lost after start: deleted, or the worker's permission revoked.
 * Reopening cannot cure NOT_FOUND or PERMISSION_DENIED, so after a few reopens in a row that
 * fail so, the session reports itself broken (/healthz fails) with one error line, and keeps
 * retrying in case the subscription comes back.
 */
import { logger } from "../telemetry/log.ts";

/** gRPC codes that reopening cannot cure. */
const LOST_CODES: Record<number, string> = { 5: "NOT_FOUND", 7: "PERMISSION_DENIED" };
/** Reopens that fail so before the subscription counts as lost. */
export const BROKEN_AFTER_REOPENS = 3;

const log = logger("worker");

/** Follows one subscription's stream errors and closes. */
export class LostSubscription {
  readonly #name: string;
  #lastCode: number | undefined;
  #closes = 0;

  constructor(name: string) {
    this.#name = name;
  }

  /** The last {@linkcode BROKEN_AFTER_REOPENS} closes all came with a code reopening cannot cure. */
  get broken(): boolean {
    return this.#closes >= BROKEN_AFTER_REOPENS;
  }

  /** A stream error with gRPC `code`; returns false once the loss was reported (stay quiet). */
  error(code: number | undefined): boolean {
    this.#lastCode = code;
    return !this.broken;
  }

  /** The stream closed (a reopen follows in `retrySeconds` at most): counts, reports once. */
  closed(retrySeconds: number): void {
    const lost = this.#lastCode === undefined ? undefined : LOST_CODES[this.#lastCode];
    this.#lastCode = undefined;
    this.#closes = lost === undefined ? 0 : this.#closes + 1;
    if (this.#closes !== BROKEN_AFTER_REOPENS) return;
    log.error(
      "Subscription {subscription} is lost ({code} on {reopens} reopens in a row: deleted, or " +
        "the worker may no longer consume it); /healthz now fails so the orchestrator restarts " +
        "the worker; still retrying every {retrySeconds}s",
      { subscription: this.#name, code: lost, reopens: BROKEN_AFTER_REOPENS, retrySeconds },
    );
  }

  /** A message arrived: the subscription is fine. */
  received(): void {
    this.#closes = 0;
  }
}
