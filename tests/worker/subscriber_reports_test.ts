/** The worker's words for its subscriber's reports: one line each, at its level, in its category. */
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { SETTINGS } from "../../src/config/settings.ts";
import type { SubscriberReport } from "../../src/pubsub/subscriber/report.ts";
import { LOG_CATEGORY } from "../../src/telemetry/log.ts";
import { logSubscriberReport } from "../../src/worker/subscriber_reports.ts";

type Kind = SubscriberReport["kind"];

/** One report of each kind (a kind missing here does not compile), and the line it must give. */
const CASES: { [K in Kind]: [Extract<SubscriberReport, { kind: K }>, string, RegExp] } = {
  "stream-ended": [
    {
      kind: "stream-ended",
      index: 1,
      code: 5,
      error: undefined,
      why: "gone",
      delayMs: 1000,
      lasting: true,
    },
    "warning",
    /^Stream 1 ended \(gone\); reopening in 1000ms$/,
  ],
  "subscription-lost": [
    {
      kind: "subscription-lost",
      subscription: "s",
      code: "NOT_FOUND",
      reopens: 3,
      retrySeconds: 60,
    },
    "error",
    /^Subscription s is lost \(NOT_FOUND on 3 reopens .*\/healthz now fails .* every 60s$/,
  ],
  "stream-quiet": [
    { kind: "stream-quiet", index: 0, quietMs: 61_400, reopens: 1 },
    "info",
    /^Stream 0 delivered nothing for 61s .*event_tool_stream_watchdog_reopens_total/,
  ],
  "lease-expired": [
    { kind: "lease-expired", messageId: "m-1", maxLeaseMs: 3_600_000 },
    "warning",
    new RegExp(`^Message m-1 was held past ${SETTINGS.maxLease.flag} \\(60 min\\)`),
  ],
  "delivery-mode": [
    { kind: "delivery-mode", exactlyOnce: true, minLeaseSeconds: 60 },
    "info",
    /^The subscription delivers exactly once: leases of at least 60s/,
  ],
  "lease-lost": [
    { kind: "lease-lost", messageId: "m-2" },
    "debug",
    /^Pub\/Sub refused to extend the lease of message m-2: it comes back$/,
  ],
  "receipts-refused": [
    { kind: "receipts-refused", count: 2, reason: "invalid-ack-id", detail: "expired" },
    "warning",
    /^2 messages dropped unhandled: Pub\/Sub refused their receipt \(invalid-ack-id: expired\)/,
  ],
  "acks-retrying": [
    { kind: "acks-retrying", count: 3, what: "acks", error: "UNAVAILABLE", delayMs: 200 },
    "debug",
    /^3 acks failed for now \(UNAVAILABLE\); again in 200ms$/,
  ],
  "acks-failed": [
    { kind: "acks-failed", count: 4, what: "nacks", error: "denied", perAckId: false },
    "warning",
    /^4 nacks failed \(denied\): those messages come back$/,
  ],
  "acks-unanswered": [
    { kind: "acks-unanswered", count: 5 },
    "warning",
    /^5 acks, nacks or deadline changes had no answer from Pub\/Sub when the worker stopped/,
  ],
};

async function capture(action: () => void): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await configure({
    sinks: { test: (record) => records.push(record) },
    loggers: [
      { category: [LOG_CATEGORY], lowestLevel: "debug", sinks: ["test"] },
      // LogTape's own diagnostics: only a problem would show (and fail the count).
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["test"] },
    ],
    reset: true,
  });
  try {
    action();
  } finally {
    await reset();
  }
  return records;
}

const text = (record: LogRecord) => record.message.map(String).join("");

Deno.test("logSubscriberReport() words every kind of report in one subscriber line at its level", async () => {
  for (const [kind, [report, level, words]] of Object.entries(CASES)) {
    const records = await capture(() => logSubscriberReport(report));
    assert.equal(records.length, 1, kind);
    assert.deepEqual(records[0]?.category, [LOG_CATEGORY, "subscriber"], kind);
    assert.equal(records[0]?.level, level, kind);
    assert.match(text(records[0]!), words, `${kind}: ${text(records[0]!)}`);
  }
});

Deno.test("logSubscriberReport() lowers a routine stream end, a later watchdog reopen and per-ID ack failures to debug", async () => {
  const quiet = { kind: "stream-quiet", index: 0, quietMs: 60_000, reopens: 2 } as const;
  const ended = { ...CASES["stream-ended"][0], lasting: false };
  const failed = { ...CASES["acks-failed"][0], perAckId: true };
  for (const report of [quiet, ended, failed]) {
    const records = await capture(() => logSubscriberReport(report));
    assert.deepEqual(records.map((r) => r.level), ["debug"], report.kind);
  }
});
