/**
 * The one outcome reader of the tests: follows the outcome records of an in-process worker, or
 * the JSON outcome lines of worker processes (across restarts), and answers questions on them.
 */
import type { OutcomeKind, OutcomeRecord } from "../../src/worker/outcome.ts";
import type { Worker } from "../../src/worker/worker.ts";
import type { RunningCli } from "./cli.ts";
import { waitFor } from "./wait.ts";

/** One outcome: the worker's record (an outcome line of its JSON log has the same fields), and
 * when it was logged (ISO time; for in-process workers, when the listener saw it). */
export type OutcomeLine = OutcomeRecord & { time: string };

/** Collects outcomes from workers, in process or not, across restarts. */
export class Outcomes {
  readonly lines: OutcomeLine[] = [];
  /** Unhandled rejections the worker processes logged. */
  readonly errors: string[] = [];

  /** Follows an in-process `worker` from now on. */
  attach(worker: Worker): void {
    worker.onOutcome((record) => this.lines.push({ ...record, time: new Date().toISOString() }));
  }

  /** Follows `worker`'s stderr from now on. */
  follow(worker: RunningCli): void {
    worker.onLine((text) => {
      if (!text.startsWith("{")) return;
      const line = JSON.parse(text);
      if (/Unhandled promise rejection/.test(line.message)) this.errors.push(text);
      if (typeof line.outcome !== "string") return;
      this.lines.push(line);
    });
  }

  /** Resolves once `predicate()` holds; rejects after `timeoutMs` saying what was reached. */
  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    await waitFor(predicate, { timeoutMs, what, progress: () => this.summary() });
  }

  /** Event IDs whose handler ran to success (acked), with how often. */
  processedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.lines) {
      if (line.outcome === "acked" && line.eventID) {
        counts.set(line.eventID, (counts.get(line.eventID) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Event IDs that reached a final outcome: acked, duplicate or dead-lettered. */
  settled(): Set<string> {
    const final = (l: OutcomeLine) => l.outcome !== "nacked" && l.outcome !== "ack-failed";
    return new Set(this.lines.filter((l) => final(l) && l.eventID).map((l) => l.eventID as string));
  }

  /**
   * Resolves once `done()` holds (true) or no outcome arrived for `quietMs` (false: deliveries
   * stopped, e.g. the emulator stranded what was left); rejects after `timeoutMs` saying what it
   * waited for and what was reached.
   */
  async untilQuiet(
    quietMs: number,
    { done = () => false, timeoutMs, what }: {
      done?: () => boolean;
      timeoutMs: number;
      what: string;
    },
  ): Promise<boolean> {
    let seen = this.lines.length;
    let quietSince = performance.now();
    const reached = await waitFor(() => {
      if (done()) return "done";
      if (this.lines.length !== seen) {
        seen = this.lines.length;
        quietSince = performance.now();
      }
      return performance.now() - quietSince >= quietMs ? "quiet" : undefined;
    }, {
      timeoutMs,
      intervalMs: 100,
      what: `${what} or ${quietMs}ms without an outcome`,
      progress: () => this.summary(),
    });
    return reached === "done";
  }

  count(outcome: OutcomeKind): number {
    return this.lines.filter((l) => l.outcome === outcome).length;
  }

  summary(): string {
    const by = (o: OutcomeKind) => `${this.count(o)} ${o}`;
    return [by("acked"), by("duplicate"), by("nacked"), by("dead-lettered"), by("ack-failed")]
      .join(", ");
  }
}
