/**
 * The console's target (issue 30): with the console on and a page open, the worker at 5,000/s
 * spends at most 2% more CPU per event. Judged on the median of the paired rounds of
 * console_cost.ts, each ratio against the run just before it.
 */
import type { Check } from "./checks.ts";
import type { Row } from "./table.ts";

const LIMIT = 1.02;

/** The check, when the run has the paired rows. */
export function consoleChecks(rows: readonly Row[]): Check[] {
  const ratios: number[] = [];
  for (let round = 1;; round++) {
    const off = rows.find((r) => r.variant === `console off, round ${round}`);
    const on = rows.find((r) => r.variant === `console on, round ${round}`);
    if (!off || !on) break;
    ratios.push(on.cpuMsPer1000 / off.cpuMsPer1000);
  }
  if (ratios.length === 0) return [];
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const signed = (ratio: number) => `${ratio >= 1 ? "+" : ""}${(100 * (ratio - 1)).toFixed(1)}%`;
  return [{
    target: "the console open at 5,000/s (P=100 L=20ms): at most 2% more CPU per 1,000 events " +
      "than without --console (median of paired rounds)",
    figure: `${signed(median)} (rounds: ${ratios.map(signed).join(", ")})`,
    met: median <= LIMIT,
    why: "each round compares two worker processes on their own backlogs, whose CPU differs " +
      "by a few percent between identical runs on these shared cores; the console's own work " +
      "is measured apart by `deno task microbench` (bench/console_bench.ts): per event a " +
      "handler booking and an outcome listener, per second one tick pushed to the page",
  }];
}
