/**
 * The handler gate: an event whose handler call is refused because of how the worker is set up
 * (refusal.ts: the HTTP service answers 401, 403, 404, 407 or `--retry-on`; a module handler lacks
 * a permission) waits here instead of failing.
 *
 * A refused call is tried again in place, after 1 s doubling to 30 s (jittered): the event keeps
 * its lease and its delivery attempt, so no refusal brings it closer to the dead-letter topic.
 * When every call has been refused for `--pause-after` (a permission: at once), the gate pauses
 * the worker's pulling (pause.ts), logs one error, and lets one held call through at a time, as a
 * probe, on the same backoff; the first call accepted resumes pulling and lets every held event
 * go at once. A refusal that only some events get while others are accepted concerns those
 * events: after {@linkcode EVENT_TRIES} tries in place such an event fails as usual (nacked, and
 * dead-lettered `max-attempts` on its last delivery).
 *
 * The gate is the outermost middleware (each try gets its own pace token and timeout); its waits
 * end when the worker's signal aborts (a stop), so the event is nacked `shutting-down`.
 */
import { sleep } from "../../base/async.ts";
import type { PaymentMethodCreated } from "../../event/event.ts";
import type { Handler, HandlerContext, Middleware } from "../handler.ts";
import { logAccepted, logFirstRefusal, logPaused, type Refusal, refusalOf } from "../refusal.ts";

export type { Refusal };

/** First wait before a refused call is tried again; it doubles up to {@linkcode MAX_RETRY_MS}. */
export const MIN_RETRY_MS = 1000;
/** Longest wait between two tries of a refused call, and between two probes while paused. */
export const MAX_RETRY_MS = 30_000;
/** Tries in place of an event refused while other events are accepted, before it fails. */
export const EVENT_TRIES = 3;

/** Options for {@linkcode Gate}. */
export interface GateOptions {
  /** HTTP statuses that mean the service refuses the worker (401, 403, 404, 407, --retry-on). */
  readonly statuses: ReadonlySet<number>;
  /** How long every call must have been refused before pulling pauses (`--pause-after`). */
  readonly pauseAfterMs: number;
  /** Pauses the worker's pulling for `reason`, with one line saying why. */
  pause(reason: Refusal, detail: string): void;
  /** Lifts that pause. */
  resume(reason: Refusal): void;
}

function jittered(ms: number): number {
  return ms * (0.8 + 0.4 * Math.random());
}

interface Waiter {
  go(probe: boolean): void;
  signal: AbortSignal;
}

/** The gate of one worker's handler: see the module comment. */
export class Gate {
  readonly #options: GateOptions;
  /** When calls began to be refused, since the last accepted one; undefined: none refused. */
  #refusedSince: number | undefined;
  #lastRefusal: Error | undefined;
  #accepted = 0;
  #paused: Refusal | undefined;
  #probing = false;
  #probeDelay = MIN_RETRY_MS;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #held: Waiter[] = [];
  #holding = 0;
  /** Handler calls refused so far (`event_tool_handler_refusals_total`). */
  refusals = 0;

  constructor(options: GateOptions) {
    this.#options = options;
  }

  /** Why the gate holds events now; undefined when it lets them through. */
  get paused(): Refusal | undefined {
    return this.#paused;
  }

  /**
   * Calls the gate holds now: refused and waiting to be tried again, or waiting while paused
   * (their tries included). They keep their pool permits and record no outcome, by design.
   */
  get holding(): number {
    return this.#holding;
  }

  /** The refusal `error` is, if it is one. */
  refusal(error: unknown): Refusal | undefined {
    return refusalOf(error, this.#options.statuses);
  }

  /** The gate as a middleware (the outermost one). */
  readonly middleware: Middleware = (next) => (event, context) =>
    this.#paused === undefined
      ? next(event, context).then(
        this.#onAccepted,
        (error) => this.#onFailed(error, next, event, context),
      )
      : this.#hold(next, event, context, undefined);

  readonly #onAccepted = (): void => {
    this.#accepted++;
    if (this.#refusedSince !== undefined) this.#recover();
  };

  #onFailed(
    error: unknown,
    next: Handler,
    event: PaymentMethodCreated,
    context: HandlerContext,
  ): Promise<void> {
    const refusal = this.refusal(error);
    if (refusal === undefined) return Promise.reject(error);
    this.#refused(refusal, error as Error);
    return this.#hold(next, event, context, error as Error);
  }

  /** {@linkcode Gate.#tryHeld}, counted in {@linkcode Gate.holding} until it ends. */
  #hold(
    next: Handler,
    event: PaymentMethodCreated,
    context: HandlerContext,
    refused: Error | undefined,
  ): Promise<void> {
    this.#holding++;
    return this.#tryHeld(next, event, context, refused).finally(() => this.#holding--);
  }

  /** Tries `event` again until it is accepted, fails otherwise, or the worker stops. */
  async #tryHeld(
    next: Handler,
    event: PaymentMethodCreated,
    context: HandlerContext,
    refused: Error | undefined,
  ): Promise<void> {
    const acceptedBefore = this.#accepted;
    let tries = refused === undefined ? 0 : 1;
    let delay = MIN_RETRY_MS;
    for (;;) {
      // Others get through: the refusal concerns this event, which fails as any failure does.
      if (refused !== undefined && tries >= EVENT_TRIES && this.#accepted > acceptedBefore) {
        throw refused;
      }
      const probe = await this.#turn(refused === undefined ? 0 : delay, context.signal);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
      try {
        await next(event, context);
      } catch (error) {
        if (probe) this.#probeEnded();
        const refusal = this.refusal(error);
        if (refusal === undefined) throw error;
        this.#refused(refusal, error as Error);
        refused = error as Error;
        tries++;
        continue;
      }
      this.#onAccepted();
      return;
    }
  }

  /** Waits `delayMs` (while not paused), or, while paused, until this call may go: true when it
   * goes as the probe. */
  async #turn(delayMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.#paused === undefined && delayMs > 0) await sleep(jittered(delayMs), signal);
    if (this.#paused === undefined) return false;
    signal.throwIfAborted();
    return await new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = {
        go: (probe) => {
          signal.removeEventListener("abort", onAbort);
          resolve(probe);
        },
        signal,
      };
      const onAbort = () => {
        const index = this.#held.indexOf(waiter);
        if (index >= 0) this.#held.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#held.push(waiter);
      this.#scheduleProbe();
    });
  }

  #refused(refusal: Refusal, error: Error): void {
    this.refusals++;
    this.#lastRefusal = error;
    if (this.#refusedSince === undefined) {
      this.#refusedSince = performance.now();
      if (refusal === "handler-refused") {
        logFirstRefusal(error, this.#options.pauseAfterMs);
        this.#pauseTimer = setTimeout(
          () => this.#pauseIfStillRefused(refusal),
          this.#options.pauseAfterMs,
        );
        Deno.unrefTimer(this.#pauseTimer);
      }
    }
    if (refusal === "handler-permission") this.#pause(refusal);
    else this.#pauseIfStillRefused(refusal);
  }

  #pauseIfStillRefused(refusal: Refusal): void {
    const since = this.#refusedSince;
    if (since !== undefined && performance.now() - since >= this.#options.pauseAfterMs) {
      this.#pause(refusal);
    }
  }

  #pause(refusal: Refusal): void {
    if (this.#paused !== undefined) return;
    this.#paused = refusal;
    this.#probeDelay = MIN_RETRY_MS;
    const detail = this.#lastRefusal?.message ?? refusal;
    this.#options.pause(refusal, detail);
    logPaused(refusal, detail, this.#options.pauseAfterMs, MAX_RETRY_MS);
  }

  #scheduleProbe(): void {
    if (this.#probing || this.#probeTimer !== undefined || this.#held.length === 0) return;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      const waiter = this.#held.shift();
      if (waiter === undefined || this.#paused === undefined) return;
      this.#probing = true;
      waiter.go(true);
    }, jittered(this.#probeDelay));
    this.#probeDelay = Math.min(this.#probeDelay * 2, MAX_RETRY_MS);
  }

  #probeEnded(): void {
    this.#probing = false;
    this.#scheduleProbe();
  }

  /** A call was accepted after refusals: resume, and let every held event go. */
  #recover(): void {
    const seconds = Math.round((performance.now() - (this.#refusedSince ?? 0)) / 100) / 10;
    const paused = this.#paused;
    this.#refusedSince = undefined;
    this.#paused = undefined;
    this.#probing = false;
    this.#probeDelay = MIN_RETRY_MS;
    clearTimeout(this.#probeTimer);
    clearTimeout(this.#pauseTimer);
    this.#probeTimer = undefined;
    const held = this.#held.splice(0);
    if (paused !== undefined) this.#options.resume(paused);
    logAccepted(seconds, held.length, paused !== undefined);
    for (const waiter of held) waiter.go(false);
  }
}
