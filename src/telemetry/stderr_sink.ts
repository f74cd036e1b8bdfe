/**
 * A buffered stderr sink: formatted lines are kept as one pending string and leave in one write
 * every `intervalMs` or once they might not fit the reused byte buffer, encoded into it then, so
 * a busy worker makes one system call and one encoding per few hundred outcome lines instead of
 * one per line, and a line costs no copy or view of its own. Warnings and errors flush at once
 * (with what was buffered before them, in order), and `flush()` runs at exit, so no line is lost
 * or reordered. Nothing is ever dropped: if stderr is slow, the write waits. A write that fails
 * (stderr closed: EPIPE) never throws into the caller or a timer: the lines it held are counted
 * in {@linkcode logWriteFailures} and the worker goes on; outcomes do not depend on their line.
 *
 * (LogTape's own non-blocking sink drops the oldest records when its buffer overflows and writes
 * each record separately; the outcome lines are the audit trail, so this one does neither.)
 */
import type { LogRecord, Sink } from "@logtape/logtape";

let failedWrites = 0;

/** Log writes that failed since the process started (each lost the lines it carried). */
export function logWriteFailures(): number {
  return failedWrites;
}

/** Counts a log write that failed outside the sink (a formatter that threw, say). */
export function noteLogWriteFailure(): void {
  failedWrites++;
}

/** A sink with a `flush()` that writes out everything buffered. */
export interface BufferedSink extends Sink {
  flush(): void;
  /**
   * Runs `action` once every line buffered so far has been written (at once when nothing is
   * buffered): write-ahead for acks, so that no event is acked before its outcome line left.
   * If the write fails, `action` still runs (the failure is counted): a broken stderr must not
   * stop the worker from settling events.
   */
  afterWrite(action: () => void): void;
}

/** Options for {@linkcode bufferedStderr}. */
export interface BufferedSinkOptions {
  /** Flush this often while something is buffered. Default 10 ms (acks wait for it). */
  intervalMs?: number;
  /**
   * The buffer's size in bytes: flush once the lines held and the next one might not fit (at 3
   * bytes per UTF-16 code unit). Default 192 KiB: 64 Ki characters of lines.
   */
  bufferBytes?: number;
  /** Where the bytes go. Default: stderr, synchronously. */
  write?: (bytes: Uint8Array) => number;
}

const encoder = new TextEncoder();
const URGENT = new Set(["warning", "error", "fatal"]);

/** A buffered sink writing `format(record)` to stderr. */
export function bufferedStderr(
  format: (record: LogRecord) => string,
  options: BufferedSinkOptions = {},
): BufferedSink {
  const intervalMs = options.intervalMs ?? 10;
  const buffer = new Uint8Array(options.bufferBytes ?? 3 * 65_536);
  const write = options.write ?? ((bytes: Uint8Array) => Deno.stderr.writeSync(bytes));
  /** The lines not written yet, in order (a UTF-16 code unit takes at most 3 bytes in UTF-8). */
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Actions waiting for the buffered lines to be written. */
  let after: (() => void)[] = [];

  /** Writes `bytes` out whole; a failure is counted, never thrown. */
  const writeAll = (bytes: Uint8Array) => {
    try {
      while (bytes.length > 0) bytes = bytes.subarray(write(bytes));
    } catch {
      failedWrites++; // stderr is gone: nowhere to say so but the metric
    }
  };
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending !== "") {
      const text = pending;
      pending = "";
      // Within the buffer by the check before each line joined it; a huge line went alone.
      writeAll(buffer.subarray(0, encoder.encodeInto(text, buffer).written));
    }
    if (after.length === 0) return;
    const actions = after;
    after = [];
    for (const action of actions) action();
  };
  const schedule = () => {
    if (timer !== undefined) return;
    const next = setTimeout(flush, intervalMs);
    Deno.unrefTimer(next); // a pending flush never keeps the process alive; exit flushes
    timer = next;
  };
  const sink = ((record: LogRecord) => {
    const line = format(record);
    if ((pending.length + line.length) * 3 > buffer.length) flush();
    if (line.length * 3 > buffer.length) writeAll(encoder.encode(line)); // a huge line alone
    else pending += line;
    if (URGENT.has(record.level)) flush();
    else schedule();
  }) as BufferedSink;
  sink.flush = flush;
  sink.afterWrite = (action) => {
    if (pending === "") return action();
    after.push(action);
    schedule();
  };
  return sink;
}
