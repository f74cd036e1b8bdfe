/** A worker process's progress and figures, read from its /metrics by the bench; its console
 * followed as a page would. */
import { sleep } from "../../src/base/async.ts";

/** The worker process's figures, read from its /metrics. */
export interface Scrape {
  acked: number;
  leased: number;
  rssBytes: number;
  cpuMs: number;
  handlerSum: number;
  /** Unix ms of the first delivery and of the latest final outcome (0 before them). */
  firstReceiptMs: number;
  lastFinalMs: number;
}

/** The metrics a {@linkcode Scrape} reads: asked for by name, nothing else is collected. */
const SCRAPED = [
  "event_tool_events_acked_total",
  "event_tool_leased_messages",
  "event_tool_process_resident_memory_bytes",
  "event_tool_process_cpu_seconds_total",
  "event_tool_handler_duration_seconds",
  "event_tool_first_receipt_timestamp_seconds",
  "event_tool_last_final_outcome_timestamp_seconds",
];
const SCRAPE_QUERY = SCRAPED.map((name) => `name[]=${name}`).join("&");

/**
 * Reads a worker's /metrics (only the metrics it needs: a whole scrape costs the worker 4 ms of
 * CPU idle and more under load); undefined while it does not answer yet.
 */
export async function scrape(port: number): Promise<Scrape | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics?${SCRAPE_QUERY}`).then(
    (r) => r.text(),
    () => "",
  );
  if (text === "") return undefined;
  const n = (series: string) => sample(text, series) ?? 0;
  return {
    acked: n("event_tool_events_acked_total"),
    leased: n("event_tool_leased_messages"),
    rssBytes: n("event_tool_process_resident_memory_bytes"),
    cpuMs: n("event_tool_process_cpu_seconds_total") * 1000,
    handlerSum: n("event_tool_handler_duration_seconds_sum"),
    firstReceiptMs: n("event_tool_first_receipt_timestamp_seconds") * 1000,
    lastFinalMs: n("event_tool_last_final_outcome_timestamp_seconds") * 1000,
  };
}

/**
 * A page on the worker's console at `port`: follows its live stream (as a browser tab does)
 * until stopped; resolves the bytes it was pushed.
 */
export function followConsole(port: number): { stop(): Promise<number> } {
  const abort = new AbortController();
  let bytes = 0;
  const reading = (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/console/api/live`, {
          signal: abort.signal,
        });
        for await (const chunk of response.body ?? []) bytes += chunk.byteLength;
      } catch {
        // not listening yet, or stopped
      }
      if (!abort.signal.aborted) await sleep(100);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await reading;
      return bytes;
    },
  };
}

/** The value of one series in Prometheus text, e.g. `sample(text, 'x_total{reason="a"}')`. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
