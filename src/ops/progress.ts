/**
 * Progress of a long run (publish): a bar with rate and ETA on a terminal (cli-progress), plain
 * periodic lines otherwise, both on stderr so stdout keeps only the result.
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** Receives the count done so far; `stop()` ends the display. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** Options for {@linkcode startProgress}. */
export interface ProgressOptions {
  /** Draw a bar (default: when stderr is a terminal). */
  tty?: boolean;
  /** Without a bar, one line at most this often. Default 5 s. */
  intervalMs?: number;
  /** Where plain lines go. Default: stderr. */
  write?: (line: string) => void;
}

/** A plain progress line: `published 500/1000 (250 events/s, ETA 2s)`. */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  return `published ${done}/${total} (${Math.round(rate)} events/s, ETA ${eta ?? "?"}s)`;
}

/** Starts showing progress towards `total`. */
export function startProgress(total: number, options: ProgressOptions = {}): Progress {
  if (options.tty ?? Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: "published {bar} {value}/{total} | {rate} events/s | ETA {remaining}s",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 1000,
    }, cliProgress.Presets.shades_classic);
    const started = performance.now();
    bar.start(total, 0, { rate: 0, remaining: "?" });
    return {
      update(done) {
        const seconds = (performance.now() - started) / 1000;
        const rate = seconds > 0 ? done / seconds : 0;
        const remaining = rate > 0 ? Math.ceil((total - done) / rate) : "?";
        bar.update(done, { rate: Math.round(rate), remaining });
      },
      stop: () => bar.stop(),
    };
  }
  const intervalMs = options.intervalMs ?? 5000;
  const write = options.write ?? ((line: string) => console.error(line));
  const started = performance.now();
  let last = started;
  return {
    update(done) {
      const now = performance.now();
      if (done >= total || now - last < intervalMs) return;
      last = now;
      write(progressLine(done, total, now - started));
    },
    stop() {},
  };
}
