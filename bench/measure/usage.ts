/**
 * What a benchmark case measures besides counts: latency percentiles, CPU time and peak RSS of
 * this process while the case runs.
 */
import process from "node:process";

/** The p-th percentile (0–100) of `values`, nearest rank; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
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

/** The value of one series in Prometheus text, e.g. `sample(text, 'x_total{reason="a"}')`. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
