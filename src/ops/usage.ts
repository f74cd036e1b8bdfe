/**
 * What `event-tool bench` (and the developer matrix in bench/) measures of this process besides
 * counts: percentiles, CPU time and peak RSS while a drain runs.
 */
import process from "node:process";

/** The p-th percentile (0–100) of `values`, nearest rank; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** The median of `values` (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU and memory of this process over an interval. */
export interface Usage {
  cpuMs: number;
  peakRssBytes: number;
  /** RSS samples (bytes), one every `sampleMs`, to see whether memory grows. */
  rssSamples: number[];
}

/** Starts sampling CPU time and RSS; `stop()` returns what was used since. */
export function startUsage(sampleMs = 100): { stop(): Usage } {
  const cpuStart = process.cpuUsage();
  const rssSamples = [Deno.memoryUsage().rss];
  const timer = setInterval(() => rssSamples.push(Deno.memoryUsage().rss), sampleMs);
  return {
    stop() {
      clearInterval(timer);
      rssSamples.push(Deno.memoryUsage().rss);
      const cpu = process.cpuUsage(cpuStart);
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssBytes: Math.max(...rssSamples),
        rssSamples,
      };
    },
  };
}
