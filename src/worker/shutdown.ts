/**
 * The worker's shutdown, in order: no new leases (the stream stops), waiters nacked at once,
 * events in flight get the shutdown timeout, those still running are failed and nacked
 * (`shutting-down`, never dead-lettered), messages still held nacked, queued acks and nacks
 * flushed: nothing stays leased. The whole of it is bounded by the shutdown timeout (and the
 * second a failed handler gets to stop), even when Pub/Sub answers nothing: what could not be
 * sent by then comes back.
 */
import { timeoutSignal } from "../base/async.ts";
import { flushLogs, logger } from "../telemetry/log.ts";
import type { Pool } from "./pool.ts";
import type { Session } from "./session.ts";
import type { Settler } from "./settle.ts";

const log = logger("worker");
/** The least time the last acks and nacks get to leave, however late the handlers ended. */
const FLUSH_MS = 500;

/** What the shutdown stops. */
export interface Parts {
  /** Closes the pool and the key queues. */
  readonly dispatcher: { close(): void };
  readonly pool: Pool;
  readonly session: Session;
  readonly settler: Settler;
  /** Aborting it fails every handler call now. */
  readonly abort: AbortController;
  readonly shutdownTimeout: number;
  /** Events whose handler runs now (not those done and waiting for their ack to leave). */
  readonly running: number;
  /** Events delivered but not started: waiting for a permit or for their key. */
  readonly notStarted: number;
}

/**
 * Stops the parts in order; resolves once the client has flushed, with how many messages were
 * still held at the end (nacked then). Per-event lines of what is given back are at debug: the
 * worker's last line counts them.
 */
export async function shutdown(parts: Parts): Promise<number> {
  const { pool, session, settler, running, notStarted } = parts;
  const deadline = performance.now() + parts.shutdownTimeout;
  log.info(
    "Stopping: {running} events being handled get up to {timeoutSeconds}s to finish; " +
      "{notStarted} not started are given back (nacked)",
    { running, notStarted, timeoutSeconds: parts.shutdownTimeout / 1000 },
  );
  parts.dispatcher.close();
  session.stopPulling();
  if (!await pool.drain(timeoutSignal(parts.shutdownTimeout))) {
    log.warning("Shutdown timeout: {inFlight} events still in flight are nacked", {
      inFlight: pool.stats.inFlight,
    });
    parts.abort.abort(new Error("the worker is shutting down"));
    // A handler that ignores the abort keeps its message; the client nacks it as it closes.
    await pool.drain(timeoutSignal(1000));
  }
  settler.releaseDelayed();
  flushLogs(); // write-ahead: the acks waiting for their outcome lines leave now
  return await session.close(Math.max(deadline, performance.now() + FLUSH_MS));
}
