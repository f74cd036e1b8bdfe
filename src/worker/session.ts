/**
 * The worker's subscription session: opens the streaming pull with the lease window, probes the
 * gRPC channel every second (readiness; one log line per change of state), reopens with backoff
 * after an outage, and reports a subscription that closes during start-up as fatal.
 */
import {
  Duration,
  type Message,
  type PubSub,
  type SubscriberOptions,
  type Subscription,
} from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { channelReady, describeTarget } from "../pubsub/client.ts";
import { logger } from "../telemetry/log.ts";
import { LostSubscription } from "./lost_subscription.ts";

/** Lease-window messages per stream: below this, a stream is not opened. */
export const WINDOW_PER_STREAM = 20;

/**
 * The streams to open: at most `--streams`, and one per {@linkcode WINDOW_PER_STREAM} messages of
 * the window. Pub/Sub applies the client's flow control to each stream separately, so every
 * stream may be handed a whole window: a small pool on many streams would lease far more than it
 * can run, starving the other replicas of a subscription (measured with three workers, P=10:
 * shares 20% / 80% / 0% on 10 streams each).
 */
export function streamsFor(maxStreams: number, window: number): number {
  return Math.max(1, Math.min(maxStreams, Math.ceil(window / WINDOW_PER_STREAM)));
}

/** What a session tells its owner. */
export interface SessionListener {
  message(message: Message): void;
  /** The subscription cannot be consumed (missing, or not ours): the worker should stop. */
  fatal(error: Error): void;
}

const log = logger("worker");
/** A close this soon after start, before any message, means the subscription is unusable. */
const STARTUP_GRACE_MS = 10_000;
const MIN_REOPEN_DELAY_MS = 1_000;
const MAX_REOPEN_DELAY_MS = 30_000;
/**
 * The most message bytes the streams may hand the worker at once (split between them): with
 * messages at Pub/Sub's 10 MB limit it holds a few, whatever the lease window, so memory stays
 * bounded independently of payload size.
 */
export const LEASE_BYTES = 64 * 1024 * 1024;
/** Room for one message at Pub/Sub's 10 MB limit, with its attributes. */
const MAX_MESSAGE_BYTES = 10.5 * 1024 * 1024;
/** How long past --shutdown-timeout the client waits before it nacks what is still held. */
const CLOSE_MARGIN_MS = 2_000;

export class Session {
  readonly #client: PubSub;
  readonly #name: string;
  readonly #subscription: Subscription;
  readonly #listener: SessionListener;
  #connected = false;
  #closing = false;
  #received = false;
  #openedAt = 0;
  #everConnected = false;
  #unreachableWarned = false;
  readonly #connectTimeout: number;
  readonly #target: string;
  #probe: ReturnType<typeof setInterval> | undefined;
  #reopenDelay = MIN_REOPEN_DELAY_MS;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #lost: LostSubscription;

  readonly #options: SubscriberOptions;

  /** A session on `config`'s subscription holding at most `window` messages at first. */
  constructor(client: PubSub, config: Config, window: number, listener: SessionListener) {
    this.#client = client;
    this.#name = config.subscription;
    this.#lost = new LostSubscription(config.subscription);
    this.#listener = listener;
    this.#connectTimeout = config.connectTimeout;
    this.#target = describeTarget(config);
    const streams = streamsFor(config.streams, window);
    this.#options = {
      // The lease window (lease.ts) is a little larger than the pool, so the pool stays busy
      // while acks of finished events are flushed; it bounds what waits for a permit.
      // Pub/Sub applies maxBytes to each stream, so each gets its share of LEASE_BYTES, but at
      // least room for one message at Pub/Sub's size limit (or a stream could stall on one).
      flowControl: {
        maxMessages: window,
        maxBytes: Math.max(Math.floor(LEASE_BYTES / streams), MAX_MESSAGE_BYTES),
        allowExcessMessages: false,
      },
      streamingOptions: { maxStreams: streams },
      batching: { maxMessages: 1000, maxMilliseconds: 10 },
      // close() stops the stream at once, waits for the events in flight (the worker fails
      // them at --shutdown-timeout, so this wait ends soon after), then nacks what is left.
      closeOptions: {
        behavior: "WAIT",
        timeout: Duration.from({ milliseconds: config.shutdownTimeout + CLOSE_MARGIN_MS }),
      },
    };
    this.#subscription = client.subscription(config.subscription, this.#options);
  }

  /** The subscription is open and the gRPC channel connected (as of the last probe). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The subscription was lost after start (deleted, or permission revoked): lost_subscription.ts. */
  get broken(): boolean {
    return this.#lost.broken;
  }

  /** Messages the client holds now (leased: running, waiting for a permit, or queued by its flow
   * control). Read from the client's inventory (version pinned); 0 if its shape changes. */
  get leased(): number {
    return this.#inventory()?.size ?? 0;
  }

  /** Lets the client hold at most `window` messages from now on. */
  resize(window: number): void {
    this.#options.flowControl = { ...this.#options.flowControl, maxMessages: window };
    this.#subscription.setOptions(this.#options);
  }

  /** Opens the streaming pull and starts probing the channel. */
  open(): void {
    this.#openedAt = performance.now();
    this.#probe = setInterval(() => void this.#checkConnection(), 1000);
    void this.#checkConnection();
    const s = this.#subscription;
    s.on("message", (message: Message) => {
      this.#received = true;
      this.#reopenDelay = MIN_REOPEN_DELAY_MS;
      this.#lost.received();
      this.#listener.message(message);
    });
    s.on("error", (error: Error & { code?: number }) => {
      if (!this.#lost.error(error.code)) return; // the loss was reported once already
      log.error("Subscription error on {subscription}: {error}", {
        subscription: this.#name,
        error,
        code: error.code,
      });
    });
    s.on("debug", (message: { message: string }) => {
      log.debug("Pub/Sub client: {detail}", { detail: message.message });
    });
    s.on("close", () => this.#onClose());
  }

  /** Stops the stream now (no new leases) and stops probing and reopening; resolves once the
   * events in flight were settled (or nacked by the client past the shutdown timeout) and the
   * queued acks and nacks were flushed. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#connected = false;
    clearInterval(this.#probe);
    clearTimeout(this.#reopenTimer);
    await this.#subscription.close();
  }

  /**
   * Called once the worker settled everything it started: nacks what the client leased but never
   * handed over (its flow-control queue), and tells the client to stop waiting for the rest,
   * whose acks and nacks are already queued (they are flushed as the close ends). Without this
   * the client's close would wait for its whole timeout. Reaches into the client (version
   * pinned), as no public call does this; tests/reliability/graceful_stop_test.ts times it.
   */
  finish(): number {
    const inventory = this.#inventory();
    const pending = [...(inventory?._pending ?? [])];
    for (const message of pending) message.nack();
    inventory?.clear?.();
    return pending.length;
  }

  /** The client's lease inventory (a private part of the pinned client; undefined if it moved). */
  #inventory(): { size?: number; _pending?: Message[]; clear?: () => unknown } | undefined {
    return (this.#subscription as unknown as {
      _subscriber?: { _inventory?: { size?: number; _pending?: Message[]; clear?: () => unknown } };
    })._subscriber?._inventory;
  }

  /**
   * The subscription closed without being asked to (a non-retryable stream error). During
   * start-up that is fatal; after the worker has worked it is an outage: reopen with backoff
   * (1 s doubling to 30 s), not connected meanwhile.
   */
  #onClose(): void {
    this.#connected = false;
    if (this.#closing) return;
    if (!this.#received && performance.now() - this.#openedAt < STARTUP_GRACE_MS) {
      this.#listener.fatal(
        new Error(
          `the subscription ${this.#name} closed and will not reopen (does it exist? run ` +
            "`event-tool setup`; is the worker allowed to consume it?)",
        ),
      );
      return;
    }
    this.#lost.closed(MAX_REOPEN_DELAY_MS / 1000);
    const delay = this.#reopenDelay;
    this.#reopenDelay = Math.min(delay * 2, MAX_REOPEN_DELAY_MS);
    if (!this.#lost.broken) {
      log.warning("Subscription {subscription} closed; reopening in {delayMs}ms", {
        subscription: this.#name,
        delayMs: delay,
      });
    }
    this.#reopenTimer = setTimeout(() => {
      if (this.#closing) return;
      this.#subscription.open();
      void this.#checkConnection();
    }, delay);
  }

  /** Asks the gRPC channel the client uses whether it is connected (connecting it if idle). */
  async #checkConnection(): Promise<void> {
    const was = this.#connected;
    let now = false;
    try {
      now = this.#subscription.isOpen && await channelReady(this.#client);
    } catch (error) {
      log.debug("Connection check failed: {error}", { error });
    }
    if (this.#closing) return;
    this.#connected = now;
    if (now) this.#everConnected = true;
    else if (
      !this.#everConnected && !this.#unreachableWarned &&
      performance.now() - this.#openedAt >= this.#connectTimeout
    ) {
      this.#unreachableWarned = true;
      log.warning(
        "Not connected to Pub/Sub ({target}) after {seconds}s; the client keeps retrying",
        { target: this.#target, seconds: this.#connectTimeout / 1000 },
      );
    }
    if (was !== now) {
      if (now) log.info("Connected to Pub/Sub");
      else log.warning("Not connected to Pub/Sub; the client keeps retrying with backoff");
    }
  }
}
