import assert from "node:assert/strict";
import type { CaseResult } from "../../bench/measure/result.ts";
import { figuresOf } from "../../bench/report/figures.ts";
import { report } from "../../bench/report/markdown.ts";
import { markdownTable, textTable, withRatios } from "../../bench/report/table.ts";
import { judgeAll } from "../../bench/report/targets.ts";

const row = (consumer: CaseResult["consumer"], eventsPerSecond: number): CaseResult => ({
  name: `${consumer} drain P=100 L=20ms`,
  case: "grid-100-20",
  consumer,
  mode: "drain",
  pool: 100,
  latencyMs: 20,
  events: 1000,
  seconds: 1000 / eventsPerSecond,
  eventsPerSecond,
  bound: 5000,
  percentOfBound: (100 * eventsPerSecond) / 5000,
  handlerMeanMs: 20.5,
  p50Ms: 21,
  p95Ms: 25,
  p99Ms: 30,
  cpuMsPer1000: 100,
  peakRssMb: 120,
  rssStartMb: 100,
  rssEndMb: 110,
  streams: 10,
  waitP50Ms: 0.5,
});

Deno.test("withRatios() divides each event-tool drain by the plain client of its case", () => {
  const other = { ...row("plain-client", 400), case: "grid-100-100" };
  const rows = withRatios([other, row("event-tool", 4000), row("plain-client", 800)]);
  assert.equal(rows[1]?.vsPlainClient, 5);
  assert.equal(rows[2]?.vsPlainClient, undefined);
});

Deno.test("textTable() and markdownTable() show the figures of every row", () => {
  const rows = withRatios([row("event-tool", 4000), row("plain-client", 800)]);
  const text = textTable(rows);
  assert.match(
    text,
    /event-tool drain P=100 L=20ms\s+10\s+1000\s+4000\s+80\s+20\.5\s+82\s+0\.5\s+21\.0\s+25\.0\s+30\.0\s+100\s+120\s+5\.00/,
  );
  const markdown = markdownTable(rows).split("\n");
  assert.equal(markdown.length, 4);
  assert.match(
    markdown[2] ?? "",
    /^\| event-tool drain P=100 L=20ms \| 10 \| 1000 \| 4000 \| 80 \|/,
  );
});

Deno.test("report() writes every section from one run's rows, verdicts and evidence", () => {
  const rows = [1, 2, 3].flatMap((round) => [
    { ...row("event-tool", 13_000), case: "noop", round, process: true, cpuMsPer1000: 40 },
    {
      ...row("go-peer", 17_000),
      case: "noop",
      round,
      process: true,
      cpuMsPer1000: 20,
      events: 40_000,
    },
    { ...row("bare-stream", 15_000), case: "noop", round, process: true, cpuMsPer1000: 26 },
    {
      ...row("go-peer", 12_000),
      case: "long",
      round,
      process: true,
      cpuMsPer1000: 15,
      events: 120_000,
    },
  ]);
  const start = { cpuMs: 500, peakRssMb: 120 };
  const floor = { cpuMs: 250, peakRssMb: 77 };
  const startUp = {
    worker: { first: start, runs: [start, start, start] },
    floor: { first: floor, runs: [floor, floor, floor] },
  };
  const profile = {
    case: "noop",
    events: 40_000,
    busyMsPer1000: 30,
    idlePercent: 50,
    parts: [["garbage collection", 20]] as [string, number][],
    top: [{ frame: "(garbage collector)", msPer1000: 6, percent: 20 }],
  };
  const verdicts = judgeAll(figuresOf(rows, startUp));
  const text = report(rows, {
    ceiling: 17_000,
    goMissing: undefined,
    startUp,
    imports: [{ specifier: "commander", cpuMs: 10, rssMb: 0.5 }],
    profiles: [profile],
    machine: "test machine",
    load: ["0.50, 0.40, 0.30", "1.00, 0.80, 0.60"],
  }, verdicts);
  for (
    const heading of [
      "# Benchmarks",
      "## Method",
      "## Head to head",
      "## Targets",
      "## Targets not met: by how much, and why",
      "## Start-up",
      "## Profiles",
      "## All rows",
    ]
  ) assert.ok(text.includes(`${heading}`), heading);
  assert.match(text, /Load averages \(1, 5, 15 min\) when the run began: 0\.50, 0\.40, 0\.30/);
  assert.match(
    text,
    /\| no-op drain P=1000, 40,000 events: CPU per 1,000 events ≤ 1\.3× the Go peer's \| ≤ 1\.30× \| \*\*2\.00×\*\*/,
  );
  assert.match(
    text,
    /- \*\*start-up: the worker's CPU from exec to ready ≤ the package-import floor \+ 80 ms\*\*: \+170 ms over the limit\. Why: the worker took 500 ms/,
  );
  assert.match(text, /\| \(garbage collector\) \| 6\.0 \| 20\.0% \|/);
  // The Go peer: 40,000 at 20 ms per 1,000 and 120,000 at 15: (1,800 − 800) ms over 80,000 events.
  assert.match(
    text,
    /\| go-peer marginal, noop → long drain \(start-up excluded\) \| 3 \| — \| 12\.5 \(12\.5–12\.5\) \| — \|/,
  );
});
