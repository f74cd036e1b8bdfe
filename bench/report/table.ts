/** The rows of a run as a text table and a Markdown table, and the machine it ran on. */
import denoJson from "../../deno.json" with { type: "json" };
import type { CaseResult } from "../measure/result.ts";

/** A result with the ratio to the plain client in the same cell, when there is one. */
export interface Row extends CaseResult {
  vsPlainClient?: number;
}

/** Pairs each in-process event-tool drain of the grid with the plain client's of its case. */
export function withRatios(results: readonly CaseResult[]): Row[] {
  return results.map((r) => {
    if (r.consumer !== "event-tool" || r.mode !== "drain" || r.process) return r;
    const plain = results.find((b) => b.consumer === "plain-client" && b.case === r.case);
    return plain ? { ...r, vsPlainClient: r.eventsPerSecond / plain.eventsPerSecond } : r;
  });
}

/** A time that is never 0 when measured (rows without latency or handler samples give 0). */
const ms = (n: number) => n > 0 ? n.toFixed(1) : "—";

const COLUMNS: [string, (r: Row) => string][] = [
  ["case", (r) => r.round === undefined ? r.name : `${r.name}, round ${r.round}`],
  ["streams", (r) => r.streams === undefined ? "—" : String(r.streams)],
  ["events", (r) => String(r.events)],
  ["events/s", (r) => r.eventsPerSecond.toFixed(0)],
  ["% of bound", (r) => r.percentOfBound === undefined ? "—" : r.percentOfBound.toFixed(0)],
  ["handler ms", (r) => r.mode === "publish" ? "—" : ms(r.handlerMeanMs)],
  ["% of P/handler", (r) => {
    if (r.mode !== "drain" || r.handlerMeanMs <= 0) return "—";
    const bound = Math.min(r.pool / (r.handlerMeanMs / 1000), r.ceiling ?? Infinity);
    return ((100 * r.eventsPerSecond) / bound).toFixed(0);
  }],
  ["wait p50 ms", (r) => r.waitP50Ms === undefined ? "—" : r.waitP50Ms.toFixed(1)],
  ["p50 ms", (r) => r.mode === "publish" ? "—" : ms(r.p50Ms)],
  ["p95 ms", (r) => r.mode === "publish" ? "—" : ms(r.p95Ms)],
  ["p99 ms", (r) => r.mode === "publish" ? "—" : ms(r.p99Ms)],
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
