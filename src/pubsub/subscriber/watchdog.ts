/**
 * The watchdog: a stream that delivers nothing for a while, holds nothing, and could take more
 * (the window has room) is reopened, and counted. The most reported fault of the Node client is a
 * subscriber that silently stops receiving; on an idle subscription a reopen costs one request.
 */
import { logger } from "../../telemetry/log.ts";
import type { LeaseBook } from "./leases.ts";
import type { PullStream } from "./stream.ts";

const log = logger("subscriber");

/** Reopens quiet streams; `reopens` counts them. */
export class Watchdog {
  readonly #quietMs: number;
  reopens = 0;

  constructor(quietMs: number) {
    this.#quietMs = quietMs;
  }

  /** Checks every stream at `now`; call only while the window has room. */
  check(now: number, streams: readonly PullStream[], book: LeaseBook): void {
    for (const [index, stream] of streams.entries()) {
      if (!stream.isOpen || book.heldFrom(index) > 0) continue;
      if (now - stream.lastData < this.#quietMs) continue;
      this.reopens++;
      log[this.reopens === 1 ? "info" : "debug"](
        "Stream {index} delivered nothing for {seconds}s while the worker had room: reopened " +
          "(counted in event_tool_stream_watchdog_reopens_total)",
        { index, seconds: Math.round((now - stream.lastData) / 1000) },
      );
      stream.restart();
    }
  }
}
