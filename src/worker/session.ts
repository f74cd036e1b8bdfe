/**
 * The worker's subscription session: runs our subscriber (src/pubsub/subscriber/) with the lease
 * window, probes the gRPC channel every second (readiness; one log line per change of state),
 * and warns once when Pub/Sub cannot be reached in --connect-timeout. Reconnects, lease
 * extension and the watchdog are the subscriber's; what it reports is logged in the worker's
 * words (subscriber_reports.ts).
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { describeTarget } from "../pubsub/client.ts";
import { generatedApi, type SubscriberApi } from "../pubsub/subscriber/api.ts";
import type { GiveUpReason, ReceivedMessage } from "../pubsub/subscriber/message.ts";
import {
  Subscriber,
  type SubscriberOptions,
  type SubscriberStats,
  type SubscriptionUnusableError,
} from "../pubsub/subscriber/subscriber.ts";
import { logger } from "../telemetry/log.ts";
import { logSubscriberReport } from "./subscriber_reports.ts";

/** Lease-window messages per stream: below this, a stream is not opened. */
export const WINDOW_PER_STREAM = 20;

/**
 * The streams to open: at most `--streams`, and one per {@linkcode WINDOW_PER_STREAM} messages of
 * the window. Pub/Sub applies flow control to each stream separately, so every stream may be
 * handed its share: a small pool on many streams would hold more than it can run, starving the
 * other replicas of a subscription.
 */
export function streamsFor(maxStreams: number, window: number): number {
  return Math.max(1, Math.min(maxStreams, Math.ceil(window / WINDOW_PER_STREAM)));
}

/** What a session tells its owner. */
export interface SessionListener {
  message(message: ReceivedMessage): void;
  /** The subscriber gives `message` back on its own (see `SubscriberListener.giveUp`). */
  giveUp(message: ReceivedMessage, reason: GiveUpReason, handedOver: boolean): void;
  /** The subscription cannot be consumed (missing, or not ours): the worker should stop. */
  fatal(error: SubscriptionUnusableError): void;
}

/**
 * The most message bytes the worker holds at once: with messages at Pub/Sub's 10 MB limit it
 * holds a few, whatever the lease window, so memory stays bounded whatever the payload size.
 */
export const LEASE_BYTES = 64 * 1024 * 1024;

const log = logger("worker");

export class Session {
  readonly #api: SubscriberApi;
  readonly #subscriber: Subscriber;
  readonly #connectTimeout: number;
  readonly #target: string;
  #connected = false;
  #closing = false;
  #openedAt = 0;
  #everConnected = false;
  #unreachableWarned = false;
  #probe: ReturnType<typeof setInterval> | undefined;

  /** A session on `config`'s subscription holding at most `window` messages at first. */
  constructor(
    client: PubSub,
    config: Pick<
      Config,
      | "connectTimeout"
      | "project"
      | "emulatorHost"
      | "subscription"
      | "streams"
      | "maxWaiting"
      | "maxLease"
      | "ackVia"
    >,
    window: number,
    listener: SessionListener,
    api: SubscriberApi = generatedApi(client),
  ) {
    this.#api = api;
    this.#connectTimeout = config.connectTimeout;
    this.#target = describeTarget(config);
    const options: SubscriberOptions = {
      subscription: client.subscription(config.subscription).name,
      streams: streamsFor(config.streams, window),
      window,
      maxWaiting: config.maxWaiting,
      maxBytes: LEASE_BYTES,
      maxLeaseMs: config.maxLease,
      ackVia: config.ackVia,
    };
    this.#subscriber = new Subscriber(api, options, { ...listener, report: logSubscriberReport });
  }

  /** The stream is open and the gRPC channel connected (as of the last probe). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The subscription was lost after start (deleted, or permission revoked). */
  get broken(): boolean {
    return this.#subscriber.broken;
  }

  /** Messages held now: running, waiting for a permit, or held for a Retry-After. */
  get leased(): number {
    return this.#subscriber.stats.leased;
  }

  /** The subscriber's counters (metrics). */
  get stats(): SubscriberStats {
    return this.#subscriber.stats;
  }

  /** Holds at most `window` messages from now on. */
  resize(window: number): void {
    this.#subscriber.resize(window);
  }

  /**
   * Takes no new message while `held` (the worker's pause, pause.ts): the streams are held as when
   * the window is full; messages already received are settled as usual.
   */
  hold(held: boolean): void {
    this.#subscriber.hold(held);
  }

  /**
   * Opens the streaming pulls and starts probing the channel; `keyed` when the events have keys
   * (an ordered subscription, or --key-from), so the streams leave room for those that wait.
   */
  open(options: { keyed?: boolean } = {}): void {
    this.#openedAt = performance.now();
    this.#probe = setInterval(() => void this.#checkConnection(), 1000);
    void this.#checkConnection();
    this.#subscriber.open(options);
  }

  /** Stops pulling now: no new message arrives; held ones can still be settled. */
  stopPulling(): void {
    this.#closing = true;
    this.#connected = false;
    clearInterval(this.#probe);
    void this.#subscriber.stopPulling(); // close() waits for it
  }

  /**
   * Called once the worker settled everything it could: gives back whatever is still held
   * (nothing stays leased), sends every queued ack and nack and waits for the answers until
   * `until` (a `performance.now()` time), and closes the connection. Returns how many it gave
   * back here.
   */
  async close(until = Infinity): Promise<number> {
    this.stopPulling();
    const nacked = await this.#subscriber.close(until);
    await this.#api.close();
    return nacked;
  }

  /** Asks the gRPC channel whether it is connected (connecting it if idle). */
  async #checkConnection(): Promise<void> {
    const was = this.#connected;
    let now = false;
    try {
      now = this.#subscriber.isOpen && await this.#api.ready();
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
        "Not connected to Pub/Sub ({target}) after {seconds}s; the worker keeps retrying",
        { target: this.#target, seconds: this.#connectTimeout / 1000 },
      );
    }
    if (was !== now) {
      if (now) log.info("Connected to Pub/Sub");
      else log.warning("Not connected to Pub/Sub; the worker keeps retrying with backoff");
    }
  }
}
