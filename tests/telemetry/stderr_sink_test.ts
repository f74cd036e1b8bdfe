import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { bufferedStderr, logWriteFailures } from "../../src/telemetry/stderr_sink.ts";
import { logRecord } from "../support/log_record.ts";
import { withFakeClock } from "../support/clock.ts";

const record = (level: LogRecord["level"], text: string) => logRecord({}, [text], { level });

/** A sink of one-word lines whose writes are recorded, decoded, in `written`. */
function recordingSink(options: { intervalMs?: number; bufferBytes?: number }) {
  const written: string[] = [];
  const sink = bufferedStderr((r) => `${r.message[0]}\n`, {
    ...options,
    write: (bytes) => {
      written.push(new TextDecoder().decode(bytes));
      return bytes.length;
    },
  });
  return { sink, written };
}

Deno.test("bufferedStderr() writes in order, at once for warnings, after the interval otherwise", async () => {
  await withFakeClock(async (clock) => {
    const { sink, written } = recordingSink({ intervalMs: 50 });
    sink(record("info", "a"));
    assert.deepEqual(written, []);
    sink(record("warning", "b"));
    assert.deepEqual(written, ["a\nb\n"]);
    sink(record("info", "c"));
    await clock.tickAsync(50);
    assert.deepEqual(written, ["a\nb\n", "c\n"]);
  });
});

Deno.test("bufferedStderr() never throws when stderr is gone (EPIPE): it counts the failure", async () => {
  await withFakeClock(async (clock) => {
    const before = logWriteFailures();
    const sink = bufferedStderr((r) => `${r.message[0]}\n`, {
      write: () => {
        throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      },
    });
    sink(record("error", "urgent")); // flushes at once
    sink(record("info", "later"));
    await clock.tickAsync(100); // the timed flush must not crash the process
    sink.flush();
    assert.equal(logWriteFailures(), before + 2);
  });
});

Deno.test("bufferedStderr().afterWrite() runs only once the lines before it were written (write-ahead)", async () => {
  await withFakeClock(async (clock) => {
    const order: string[] = [];
    const sink = bufferedStderr((r) => `${r.message[0]}\n`, {
      intervalMs: 10,
      write: (bytes) => {
        order.push(`write ${new TextDecoder().decode(bytes).trim()}`);
        return bytes.length;
      },
    });
    sink.afterWrite(() => order.push("ack before any line")); // nothing buffered: at once
    sink(record("info", "event 1 acked"));
    sink.afterWrite(() => order.push("ack 1"));
    assert.deepEqual(order, ["ack before any line"], "not before its line left");
    await clock.tickAsync(10);
    assert.deepEqual(order, ["ack before any line", "write event 1 acked", "ack 1"]);
  });
});

Deno.test("bufferedStderr() flushes before a line that might not fit, and writes a huge one alone", () => {
  const { sink, written } = recordingSink({ bufferBytes: 12 });
  sink(record("info", "ab")); // 3 characters: 9 bytes at most ≤ 12
  sink(record("info", "é")); // 3 + 2 characters: 15 bytes at most > 12, so "ab" goes first
  assert.deepEqual(written, ["ab\n"]);
  sink(record("info", "c")); // 2 + 2 characters: 12 ≤ 12, kept with "é"
  assert.deepEqual(written, ["ab\n"]);
  sink(record("info", "x".repeat(40)));
  assert.deepEqual(written, ["ab\n", "é\nc\n", `${"x".repeat(40)}\n`]);
  sink.flush();
  assert.equal(written.length, 3);
});
