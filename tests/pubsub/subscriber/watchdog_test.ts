/** Watchdog: reopens a stream that is open, holds nothing and was quiet too long; reports each. */
import assert from "node:assert/strict";
import { LeaseBook } from "../../../src/pubsub/subscriber/leases.ts";
import { ReceivedMessage } from "../../../src/pubsub/subscriber/message.ts";
import type { SubscriberReport } from "../../../src/pubsub/subscriber/report.ts";
import type { PullStream } from "../../../src/pubsub/subscriber/stream.ts";
import { Watchdog } from "../../../src/pubsub/subscriber/watchdog.ts";
import { protos } from "../../support/fake_pubsub.ts";

/** The part of a stream the watchdog reads, and its restarts. */
function stream(lastData: number, isOpen = true) {
  const s = { isOpen, lastData, restarts: 0, restart: () => void s.restarts++ };
  return s;
}

Deno.test("Watchdog reopens only an open stream quiet for its time that holds nothing", () => {
  const reports: SubscriberReport[] = [];
  const watchdog = new Watchdog(60_000, (r) => reports.push(r));
  const quiet = stream(0);
  const recent = stream(30_000);
  const closed = stream(0, false);
  const holding = stream(0);
  const book = new LeaseBook();
  book.add(new ReceivedMessage(protos(1)[0]!, 3, 0, { settle() {}, waiting() {} }), 10_000);
  const streams = [quiet, recent, closed, holding] as unknown as PullStream[];
  watchdog.check(70_000, streams, book);
  assert.deepEqual([quiet, recent, closed, holding].map((s) => s.restarts), [1, 0, 0, 0]);
  assert.equal(watchdog.reopens, 1);
  assert.deepEqual(reports, [{ kind: "stream-quiet", index: 0, quietMs: 70_000, reopens: 1 }]);
});
