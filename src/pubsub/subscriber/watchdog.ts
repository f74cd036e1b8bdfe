/**
 * The watchdog: a stream that delivers nothing for a while, holds nothing, and could take more
 * (the window has room) is reopened, and counted. The most reported fault of the Node client is a
 * subscriber that silently stops receiving; on an idle subscription a reopen costs one request.
 */
import type { LeaseBook } from "./leases.ts";
import type { Report } from "./report.ts";
import type { PullStream } from "./stream.ts";

/** Reopens quiet streams; `reopens` counts them, and each is reported. */
export class Watchdog {
  readonly #quietMs: number;
  readonly #report: Report;
  reopens = 0;

  constructor(quietMs: number, report: Report) {
    this.#quietMs = quietMs;
    this.#report = report;
  }

  /** Checks every stream at `now`; call only while the window has room. */
  check(now: number, streams: readonly PullStream[], book: LeaseBook): void {
    for (const [index, stream] of streams.entries()) {
      if (!stream.isOpen || book.heldFrom(index) > 0) continue;
      if (now - stream.lastData < this.#quietMs) continue;
      this.reopens++;
      this.#report({
        kind: "stream-quiet",
        index,
        quietMs: now - stream.lastData,
        reopens: this.reopens,
      });
      stream.restart();
    }
  }
}
