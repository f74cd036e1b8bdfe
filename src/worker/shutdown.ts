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
}

/** Stops the parts in order; resolves once the client has flushed. */
export async function shutdown(parts: Parts): Promise<void> {
  const { pool, session, settler } = parts;
  const deadline = performance.now() + parts.shutdownTimeout;
  const { inFlight, waiting } = pool.stats;
  const leased = Math.max(0, session.leased - inFlight - waiting);
  log.info(
    "Stopping: {inFlight} events in flight get up to {timeoutSeconds}s to finish; {waiting} " +
      "waiting for a permit and {leased} leased but not yet delivered are nacked",
    { inFlight, waiting, leased, timeoutSeconds: parts.shutdownTimeout / 1000 },
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
  const held = await session.close(Math.max(deadline, performance.now() + FLUSH_MS));
  if (held > 0) log.info("{held} messages still held at the end: nacked", { held });
}
