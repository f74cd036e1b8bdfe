/**
 * Shared by the reliability cases: following a worker process's outcome lines, waiting for a
 * condition on them, and recording each case's figures for docs/RELIABILITY.md.
 */
import type { RunningCli } from "../support/cli.ts";

/** One outcome line of the worker's JSON log. */
export interface OutcomeLine {
  time: string;
  outcome: "acked" | "duplicate" | "nacked" | "dead-lettered";
  eventID: string | null;
  messageId: string;
  deliveryAttempt: number;
  durationMs: number;
  reason?: string;
  detail?: string;
}

/** The figures of one reliability case. */
export interface CaseResult {
  case: string;
  injected: string;
  eventsIn: number;
  processed: number;
  duplicates: number;
  deadLettered: number;
  lost: number;
  seconds: number;
  notes?: string;
}

/** Collects outcome lines from worker processes, across restarts. */
export class Outcomes {
  readonly lines: OutcomeLine[] = [];
  #waiters: (() => void)[] = [];
  /** Non-outcome lines at error level, and any unhandled rejection. */
  readonly errors: string[] = [];

  /** Follows `worker`'s stderr from now on. */
  follow(worker: RunningCli): void {
    worker.onLine((text) => {
      if (!text.startsWith("{")) return;
      const line = JSON.parse(text);
      if (/Unhandled promise rejection/.test(line.message)) this.errors.push(text);
      if (typeof line.outcome !== "string") return;
      this.lines.push(line);
      this.#waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** Resolves once `predicate()` holds; rejects after `timeoutMs` saying what was reached. */
  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (${this.summary()})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
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
    return new Set(
      this.lines.filter((l) => l.outcome !== "nacked" && l.eventID).map((l) => l.eventID as string),
    );
  }

  /** Resolves once no outcome arrived for `quietMs`, or `predicate()` holds. */
  async settle(predicate: () => boolean, quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = this.lines.length;
    let quietSince = Date.now();
    while (!predicate() && Date.now() < deadline && Date.now() - quietSince < quietMs) {
      await new Promise((r) => setTimeout(r, 100));
      if (this.lines.length !== seen) {
        seen = this.lines.length;
        quietSince = Date.now();
      }
    }
  }

  count(outcome: OutcomeLine["outcome"]): number {
    return this.lines.filter((l) => l.outcome === outcome).length;
  }

  summary(): string {
    const by = (o: OutcomeLine["outcome"]) => `${this.count(o)} ${o}`;
    return [by("acked"), by("duplicate"), by("nacked"), by("dead-lettered")].join(", ");
  }
}

/** Prints the case's figures and, under `deno task reliability`, records them for the report. */
export async function report(result: CaseResult): Promise<void> {
  console.log(
    `reliability ${result.case}: in ${result.eventsIn}, processed ${result.processed}, ` +
      `duplicates ${result.duplicates}, dead-lettered ${result.deadLettered}, lost ${result.lost}, ` +
      `${result.seconds.toFixed(1)}s${result.notes ? ` (${result.notes})` : ""}`,
  );
  const file = Deno.env.get("RELIABILITY_RESULTS");
  if (file) await Deno.writeTextFile(file, JSON.stringify(result) + "\n", { append: true });
}

/** Seconds since `start` (a `performance.now()` value). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * Waits until `processed()` reaches `target`, calling `seek()` whenever deliveries stop for 3 s
 * first: the emulator strands messages that were in flight on a stream whose client went away
 * (see docs/RELIABILITY.md), and a seek makes it deliver again every message nobody acked. The
 * emulator still counts the dead streams as open and hands them part of what a seek releases,
 * so it can take several seeks. Returns how many it took.
 */
export async function reachWithSeek(
  outcomes: Outcomes,
  processed: () => number,
  target: number,
  seek: () => Promise<void>,
): Promise<number> {
  let seeks = 0;
  while (processed() < target) {
    await outcomes.settle(() => processed() >= target, 3000, 120_000);
    if (processed() >= target) break;
    if (seeks >= 30) throw new Error(`stuck at ${processed()} of ${target} processed`);
    await seek();
    seeks++;
  }
  return seeks;
}
