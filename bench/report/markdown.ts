/** docs/BENCHMARKS.md from one run: each section a function, the whole in {@linkcode report}. */
import { median } from "../../src/ops/usage.ts";
import type { Profile } from "../cases/profile.ts";
import type { ImportCost, StartUp } from "../cases/startup.ts";
import { marginal, MARGINAL_FROM, MARGINAL_TO } from "./figures.ts";
import { markdownTable, type Row } from "./table.ts";
import type { Verdict } from "./targets.ts";
import { type Evidence, WHY } from "./why.ts";
import { f0, f1, figureOf, limitOf, missOf, n0 } from "./words.ts";

/** What the run measured besides its rows. */
export interface Run {
  /** The best no-op drain rate of any consumer process, events/s. */
  ceiling: number;
  /** Why the Go peer did not run, when it did not. */
  goMissing: string | undefined;
  startUp: StartUp;
  imports: readonly ImportCost[];
  profiles: readonly Profile[];
  /** The machine, its versions, and its load averages when the run began and ended. */
  machine: string;
  load: [begin: string, end: string];
}

function header(run: Run, verdicts: readonly Verdict[]): string {
  const met = verdicts.filter((v) => v.met).length;
  return `# Benchmarks

![events/s per case: event-tool, the plain client and the Go peer, with the ceiling](benchmarks.svg)

Written by \`deno task bench:matrix --report\` on ${new Date().toISOString()}; every figure comes
from that one run, nothing is typed by hand, and the targets come from bench/report/targets.json.
The machines are shared and noisy: compare ratios within this run, not absolute numbers across
runs.

- Machine: ${run.machine}
- Load averages (1, 5, 15 min) when the run began: ${run.load[0]}; when it ended: ${run.load[1]}
- Ceiling: **${f0(run.ceiling)} events/s**, the best no-op drain of 40,000 events by any consumer
  process in this run${run.goMissing ? ` (the Go peer did not run: ${run.goMissing})` : ""}. On two
  cores the emulator's JVM takes about half the machine, so the drain rate is bounded by the CPU
  left to the consumer: CPU per event is the lever.
- Targets: ${met} of ${verdicts.length} met in this run.
`;
}

const METHOD = `## Method

Each case gets a fresh topic and subscription on the emulator, deleted afterwards: every consumer
drains its own backlog. *Drain* pre-fills the backlog, then times from the first receipt to the
last ack.

- *Process* rows run each consumer as its own process on its own backlog and measure all of them
  the same way from outside: CPU (user + system, start-up included) from /proc/<pid>/stat and
  peak RSS from VmHWM in /proc/<pid>/status, read just before the process is stopped. The
  head-to-head cases run three rounds; **every ratio is the median of the three rounds' ratios**
  (each round pairs the worker with the peer of the same round), shown with its spread, and a
  target is met when the median meets it.
  - *event-tool worker process*: the real \`event-tool worker\` as shipped (heap setting, info
    logs on, one JSON line per event written to a discarded stderr), on our own StreamingPull
    subscriber; its progress is read from its /metrics.
  - *Go peer*: bench/peers/go, the original design on the official Go client (default receive
    settings, a fixed pool of goroutines, JSON decode, one slog line per event, ack).
  - *plain client*: bench/peers/plain, \`subscription.on("message")\` of @google-cloud/pubsub
    with \`flowControl.maxMessages = P\`, JSON decode, sleep L, ack, one JSON line per event.
  - *bare stream*: bench/peers/bare, the Go design's per-event work on the StreamingPull of the
    package's generated client and nothing else, under the worker's V8 flags: the floor of any
    Deno consumer of @google-cloud/pubsub, against which memory is judged.
- *Marginal* CPU per 1,000 events is the difference between a consumer's 120,000- and
  40,000-event no-op drains of the same round, divided by the 80,000 events between them:
  start-up cancels out.
- *Start-up* is CPU and peak RSS from exec to ready (\`/readyz\` answers 200: connected, the
  streams open) on an empty subscription, against the *package-import floor*: a Deno program
  under the same flags that imports @google-cloud/pubsub and nothing else (three starts of each
  in turns, after one of each that warms V8's code cache; the target reads each pair's
  difference).
- *event-tool drain* rows (not processes) run the same \`Worker\` inside the bench process against
  in-process *plain client* rows; their CPU and RSS are the bench process's. The bound is
  min(P / L, ceiling). *handler ms* is the mean time in the handler; *wait p50* is receipt →
  handler start (the wait for a permit).
- *fake server* rows run the worker process on the fake Pub/Sub server of tests/fake_pubsub/ (the
  emulator has no exactly-once delivery), at-least-once, then exactly-once with 5% of ack IDs
  failing transiently once.
- *Scale-out* runs three worker processes on one subscription; *steady* publishes at 1,000/s
  while the worker runs (latency publish → ack); *publish* times the publisher alone.
`;

/** The head-to-head cases: each consumer's median and range over its rounds. */
function headToHead(rows: readonly Row[]): string {
  const cases = ["noop", "slow", "slow50", "long", "backlog", "noop-rpc"];
  const lines: string[] = [];
  const range = (values: number[], show: (n: number) => string) => {
    const m = median(values);
    if (m === undefined) return "—";
    return values.length < 2
      ? show(m)
      : `${show(m)} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
  };
  for (const id of cases) {
    const group = rows.filter((r) => r.case === id && r.process);
    for (const consumer of [...new Set(group.map((r) => r.consumer))]) {
      const mine = group.filter((r) => r.consumer === consumer);
      const first = mine[0]!;
      lines.push(
        `| ${first.name.replace(/, round \d+$/, "")} | ${mine.length} | ` +
          `${range(mine.map((r) => r.eventsPerSecond), f0)} | ` +
          `${range(mine.map((r) => r.cpuMsPer1000), f1)} | ` +
          `${range(mine.map((r) => r.peakRssMb), f0)} |`,
      );
    }
  }
  // The marginal cost: CPU only, between the short and the long drain of each round.
  const margins = marginal(rows);
  for (const consumer of [...new Set(margins.map((f) => f.consumer))]) {
    const cpu = margins.filter((f) => f.consumer === consumer)
      .map((f) => f.values.cpuMsPer1000 as number);
    lines.push(
      `| ${consumer} marginal, ${MARGINAL_FROM} → ${MARGINAL_TO} drain (start-up excluded) | ` +
        `${cpu.length} | — | ${range(cpu, f1)} | — |`,
    );
  }
  return `## Head to head (median of the rounds, lowest–highest)

| case | rounds | events/s | CPU-ms per 1,000 | peak RSS MB |
| --- | --- | --- | --- | --- |
${lines.join("\n")}
`;
}

function targets(verdicts: readonly Verdict[]): string {
  const line = (v: Verdict) =>
    `| ${v.target.target} | ${limitOf(v.target)} | ${figureOf(v)} | ${v.met ? "yes" : "**no**"} |`;
  return `## Targets

| Target | Limit | This run (median of the rounds) | Met |
| --- | --- | --- | --- |
${verdicts.map(line).join("\n")}
`;
}

function unmet(verdicts: readonly Verdict[], evidence: Evidence): string {
  const missed = verdicts.filter((v) => !v.met);
  const line = (v: Verdict) => {
    const why = v.values.length > 0 ? WHY[v.target.id]?.(evidence) : undefined;
    return `- **${v.target.target}**: ${missOf(v)}${why ? `. Why: ${why}` : ""}.`;
  };
  return `## Targets not met: by how much, and why

${missed.map(line).join("\n") || "All targets were met in this run."}
`;
}

function startUp(run: Run): string {
  const { worker, floor } = run.startUp;
  const starts = (runs: StartUp["worker"]["runs"]) =>
    runs.map((r) => `${f0(r.cpuMs)} ms / ${f0(r.peakRssMb)} MB`).join(", ");
  const imports = run.imports.map((c) => `| ${c.specifier} | ${f0(c.cpuMs)} | ${f1(c.rssMb)} |`);
  return `## Start-up

From exec to ready, each start's CPU and peak RSS, the worker's and the floor's in turns (the
first start of each, which rewrites V8's code cache, is left out: ${f0(worker.first.cpuMs)} ms
for the worker):

- the worker (\`event-tool worker\`, empty subscription): ${starts(worker.runs)}
- the package-import floor (a program that imports @google-cloud/pubsub): ${starts(floor.runs)}

What each import costs (medians of three pairs of starts): the empty program as it is, the
package above it, and every other import above a program that has the package loaded (the two in
turns, each pair's difference). /proc counts CPU in 10 ms ticks: read the CPU column to ±10 ms.

| Import | CPU ms | RSS MB |
| --- | --- | --- |
${imports.join("\n")}
`;
}

function profiles(list: readonly Profile[]): string {
  const one = (p: Profile) =>
    `### ${p.case}: ${n0(p.events)} events

Busy ${f1(p.busyMsPer1000)} ms per 1,000 events on the main thread (idle ${
      f0(p.idlePercent)
    }% of the drain). By part: ${
      p.parts.map(([part, share]) => `${part} ${f1(share)}%`).join("; ")
    }.

| Function (own time) | ms per 1,000 events | share of busy |
| --- | --- | --- |
${p.top.map((t) => `| ${t.frame} | ${f1(t.msPer1000)} | ${f1(t.percent)}% |`).join("\n")}
`;
  return `## Profiles

The worker process run once more under \`deno run --cpu-prof\` on a case's backlog; only the
drain's samples count (from the first event's pipeline to the last), per 1,000 events. The
profiler adds its own cost, so read shares, not totals.

${list.map(one).join("\n")}`;
}

/** The whole report. */
export function report(
  rows: readonly Row[],
  run: Run,
  verdicts: readonly Verdict[],
): string {
  const evidence: Evidence = {
    rows,
    startUp: run.startUp,
    imports: run.imports,
    profiles: run.profiles,
  };
  return [
    header(run, verdicts),
    METHOD,
    headToHead(rows),
    targets(verdicts),
    unmet(verdicts, evidence),
    startUp(run),
    profiles(run.profiles),
    `## All rows\n\n${markdownTable(rows)}\n`,
  ].join("\n");
}
