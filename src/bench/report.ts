/** Benchmark results as a text table, as JSON, and as docs/BENCHMARKS.md. */
import denoJson from "../../deno.json" with { type: "json" };
import type { Check } from "./checks.ts";
import { CEILING_POOL } from "./matrix.ts";
import type { CaseResult } from "./result.ts";

/** A result with the ratio to the plain client in the same cell, when there is one. */
export interface Row extends CaseResult {
  vsPlainClient?: number;
}

/** Pairs each event-tool drain case with the plain-client case of the same pool and latency. */
export function withRatios(results: readonly CaseResult[]): Row[] {
  return results.map((r) => {
    if (r.consumer !== "event-tool" || r.mode !== "drain" || r.variant) return r;
    const plain = results.find((b) =>
      b.consumer === "plain-client" && b.pool === r.pool && b.latencyMs === r.latencyMs
    );
    return plain ? { ...r, vsPlainClient: r.eventsPerSecond / plain.eventsPerSecond } : r;
  });
}

const COLUMNS: [string, (r: Row) => string][] = [
  ["case", (r) => r.name],
  ["events", (r) => String(r.events)],
  ["events/s", (r) => r.eventsPerSecond.toFixed(0)],
  ["% of bound", (r) => r.percentOfBound === undefined ? "—" : r.percentOfBound.toFixed(0)],
  ["handler ms", (r) => r.mode === "publish" ? "—" : r.handlerMeanMs.toFixed(1)],
  ["% of P/handler", (r) => {
    if (r.mode !== "drain" || r.handlerMeanMs <= 0) return "—";
    const bound = Math.min(r.pool / (r.handlerMeanMs / 1000), r.ceiling ?? Infinity);
    return ((100 * r.eventsPerSecond) / bound).toFixed(0);
  }],
  ["p50 ms", (r) => r.mode === "publish" ? "—" : r.p50Ms.toFixed(1)],
  ["p95 ms", (r) => r.mode === "publish" ? "—" : r.p95Ms.toFixed(1)],
  ["p99 ms", (r) => r.mode === "publish" ? "—" : r.p99Ms.toFixed(1)],
  ["CPU ms/1k", (r) => r.cpuMsPer1000.toFixed(0)],
  ["peak RSS MB", (r) => r.peakRssMb.toFixed(0)],
  ["× plain client", (r) => r.vsPlainClient === undefined ? "—" : r.vsPlainClient.toFixed(2)],
];

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd())
    .join("\n");
}

/** A Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const header = `| ${COLUMNS.map(([title]) => title).join(" | ")} |`;
  const rule = `| ${COLUMNS.map(() => "---").join(" | ")} |`;
  return [header, rule, ...rows.map((r) => `| ${COLUMNS.map(([, f]) => f(r)).join(" | ")} |`)]
    .join("\n");
}

/** The machine and versions, for the report's header. */
export async function machine(): Promise<string> {
  const cpu = await Deno.readTextFile("/proc/cpuinfo").then(
    (t) => /model name\s*:\s*(.*)/.exec(t)?.[1] ?? "unknown CPU",
    () => "unknown CPU",
  );
  return `${Deno.build.target}, ${navigator.hardwareConcurrency} cores (${cpu}), ` +
    `${(Deno.systemMemoryInfo().total / 1024 ** 3).toFixed(0)} GiB; Deno ${Deno.version.deno}, ` +
    `V8 ${Deno.version.v8}; event-tool ${denoJson.version}; @google-cloud/pubsub ` +
    `${denoJson.imports["@google-cloud/pubsub"].split("@").at(-1)}`;
}

/** docs/BENCHMARKS.md from this run's rows, ceiling, machine and checks. */
export function reportMarkdown(
  rows: readonly Row[],
  ceiling: number,
  where: string,
  list: Check[],
): string {
  return `# Benchmarks

Written by \`deno task bench --matrix --report\` on ${new Date().toISOString()}; every figure comes
from that one run, nothing is typed by hand. The machines are shared and noisy: compare ratios
within this run, not absolute numbers across runs.

- Machine: ${where}
- Emulator ceiling (no-op handler, very large window: the better of the event-tool worker with
  pool ${CEILING_POOL} and window ${2 * CEILING_POOL}, and the plain client with
  \`maxMessages\` ${2 * CEILING_POOL}): **${ceiling.toFixed(0)} events/s**.

## Method

Each case gets a fresh topic and subscription on the emulator, deleted afterwards. *Drain*
pre-fills the backlog, then times from the first receipt to the last ack; latency is receipt →
ack inside the consumer. Each consumer drains about 5 s of work at the rate expected of it (at
least 500 events, at most \`--events\`), so slow cells stay short; rates are compared, not
totals. *event-tool* is the same \`Worker\` that \`event-tool worker\` runs, with
the load-testing handler (\`--simulate-latency\`). *plain client* is what a user writes without
the tool: \`subscription.on("message")\` with \`flowControl.maxMessages = P\`, sleep L, \`ack()\`.
The bound is min(P / L, ceiling); the ceiling is measured first, and the emulator keeps
warming up afterwards, so cells near it can read a little over 100%. *Steady* publishes at a fixed rate while the worker runs;
latency is publish (attribute \`publishedAt\`) → ack. CPU is the bench process's user + system
time during the case and RSS its resident memory, sampled every 100 ms: the bench process runs
the cases one after the other, so its RSS column shows the process's high-water mark, not one
case's. The *backlog* row is different: it runs the real \`event-tool worker\` as its own process
on a 100,000-event backlog and reads that process's progress, RSS and CPU from its own /metrics
(\`event_tool_process_resident_memory_bytes\`, \`event_tool_process_cpu_seconds_total\`). *handler ms* is the mean time spent in the handler: the simulated latency as this
machine delivered it (a 1 ms sleep takes longer on a busy event loop), and *% of P/handler*
compares the rate with min(P / handler ms, ceiling), the most that handler allows. The two
\`window=\` rows vary only the lease window at P=100, L=20 ms (the default there is
max(2 × P, P + 200) = 300).

## Results

${markdownTable(rows)}

## Targets

| Target | This run | Met |
| --- | --- | --- |
${list.map((c) => `| ${c.target} | ${c.figure} | ${c.met ? "yes" : "**no**"} |`).join("\n")}

## Targets not met, and why

${
    list.filter((c) => !c.met).map((c) => `- **${c.target}** (${c.figure}): ${c.why ?? "—"}.`)
      .join("\n") || "All targets were met in this run."
  }
`;
}
