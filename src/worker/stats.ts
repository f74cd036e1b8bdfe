/** What a running worker reports: its counters since start, its pool and its subscriber now. */
import type { SubscriberStats } from "../pubsub/subscriber/subscriber.ts";
import type { KeyStats } from "./key_scheduler.ts";
import type { OutcomeCounts } from "./outcome.ts";
import type { Paused } from "./pause.ts";

/**
 * The worker's counters since it started, cheap to read at any moment (no pool, key or pause
 * state is walked): /metrics reads them live, so that they agree with each other at every scrape.
 */
export interface WorkerCounters extends OutcomeCounts {
  /** Deliveries received (redeliveries included). */
  received: number;
  /** Failed runs kept to be tried again in place (also in {@linkcode KeyStats}). */
  retriesInPlace: number;
  /** Handler calls the handler gate held because the service or a permission refused them. */
  refusals: number;
  /** Valid events whose `eventType` attribute named another type than the contract. */
  typeMismatches: number;
  /** The subscriber's counters (extensions, expired leases, reconnects) and state now. */
  subscriber: SubscriberStats;
}

/** Counters since the worker started, and the pool now. */
export interface WorkerStats extends WorkerCounters {
  /** Events holding a pool permit now. */
  inFlight: number;
  /** Most events that held a permit at once. */
  peakInFlight: number;
  /** Events waiting for a pool permit. */
  waitingForPermit: number;
  /** Permits free in the pool. */
  freePermits: number;
  /** Pool permits (`--pool-size`). */
  poolSize: number;
  /** Messages the client may hold now. */
  leaseWindow: number;
  /** The subscription is open and its gRPC channel connected. */
  connected: boolean;
  /** Handler calls that timed out and still run (each keeps its permit until it ends). */
  abandoned: number;
  /** Keys with an event running, and events waiting for an earlier one of their key. */
  keys: KeyStats;
  /** Handler starts allowed per second now (`--rate-limit`, lowered while throttled);
   * undefined when unlimited. */
  rateLimit: number | undefined;
  /** Why pulling is paused now (pause.ts), oldest first; empty while it is not. */
  paused: readonly Paused[];
}
