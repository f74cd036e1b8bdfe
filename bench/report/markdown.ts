/** docs/BENCHMARKS.md and the chart it opens with, from one run's rows. */
import type { ChartGroup } from "./chart.ts";
import { f0 } from "./evidence.ts";
import type { Check } from "./checks.ts";
import type { MatrixOutcome } from "../matrix.ts";
import { NOOP_EVENTS } from "../matrix.ts";
import { markdownTable, type Row } from "./table.ts";

/** The chart's groups: the cases where event-tool, the plain client and the Go peer all ran. */
export function chartGroups(rows: readonly Row[]): ChartGroup[] {
  const find = (consumer: string, pool: number, latencyMs: number, process?: boolean) =>
    rows.find((r) =>
      r.consumer === consumer && r.pool === pool && r.latencyMs === latencyMs &&
      r.mode === "drain" && r.variant === undefined &&
      (process === undefined || Boolean(r.process) === process)
    )?.eventsPerSecond;
  const groups: ChartGroup[] = [
    {
      label: "no-op, P=1000",
      values: {
        "event-tool": find("event-tool", 1000, 0, true),
        "plain client": find("plain-client", 1000, 0, true),
        "Go peer": find("go-peer", 1000, 0),
      },
    },
    {
      label: "P=100, L=20ms",
      values: {
        "event-tool": find("event-tool", 100, 20, true),
        "plain client": find("plain-client", 100, 20),
        "Go peer": find("go-peer", 100, 20),
      },
    },
  ];
  for (const [pool, latencyMs] of [[1000, 20], [1000, 1], [100, 1], [10, 1]]) {
    groups.push({
      label: `P=${pool}, L=${latencyMs}ms`,
      values: {
        "event-tool": find("event-tool", pool!, latencyMs!, false),
        "plain client": find("plain-client", pool!, latencyMs!),
      },
    });
  }
  return groups;
}

/** The whole report. */
export function reportMarkdown(
  rows: readonly Row[],
  outcome: MatrixOutcome,
  where: string,
  list: Check[],
): string {
  const { ceiling, goMissing, profile, startUp } = outcome;
  const unmet = list.filter((c) => !c.met);
  return `# Benchmarks

![events/s per case: event-tool, the plain client and the Go peer, with the ceiling](benchmarks.svg)

Written by \`deno task bench --matrix --report\` on ${new Date().toISOString()}; every figure comes
from that one run, nothing is typed by hand. The machines are shared and noisy: compare ratios
within this run, not absolute numbers across runs.

- Machine: ${where}
- Ceiling: **${f0(ceiling)} events/s**, the best no-op drain of ${NOOP_EVENTS.toLocaleString("en")}
  events by any consumer process in this run (the worker, the plain client, the bare stream, the
  Go peer${goMissing ? `, which did not run: ${goMissing}` : ""}). On two cores the emulator's JVM
  takes about half the machine, so the drain rate is bounded by the CPU left to the consumer:
  CPU per event is the lever.
- Targets: ${list.length - unmet.length} of ${list.length} met in this run.

## Method

Each case gets a fresh topic and subscription on the emulator, deleted afterwards: every consumer
drains its own backlog (the emulator never redelivers what was leased to a stopped client, which
would poison a shared one). *Drain* pre-fills the backlog, then times from the first receipt to
the last ack.

- *Process* rows run each consumer as its own process on its own backlog, and measure all of them
  the same way from outside: CPU (user + system, start-up included) from /proc/<pid>/stat and
  peak RSS from VmHWM in /proc/<pid>/status, read just before the process is stopped. Each case
  runs twice (*round 2* rows) to show the spread; a target set against the Go peer counts as met
  only when both rounds meet it.
  - *event-tool worker process*: the real \`event-tool worker\` as shipped (heap setting, info
    logs on, one JSON line per event written to a discarded stderr), on our own StreamingPull
    subscriber; its progress is read from its /metrics. *ack-via rpc* rows send acks as
    Acknowledge calls instead of on the streams.
  - *Go peer*: bench/peers/go, the original design on the official Go client (default receive
    settings, a fixed pool of goroutines fed by a buffered channel, JSON decode, one slog line
    per event, ack).
  - *plain client*: bench/peers/plain, \`subscription.on("message")\` of @google-cloud/pubsub with
    \`flowControl.maxMessages = P\`, JSON decode, sleep L, ack, one JSON line per event.
  - *bare stream* (no-op rows only): bench/peers/bare, the Go design's per-event work (JSON
    decode, one JSON line, ack on the stream) on StreamingPull of the package's generated
    \`v1.SubscriberClient\`, and nothing else (no pool, leases, reconnect, validation, metrics):
    the floor of any Deno consumer of @google-cloud/pubsub, under the worker's V8 flags.
- *event-tool drain* rows (not processes) run the same \`Worker\` inside the bench process against
  in-process *plain client* rows: what a user writes without the tool (\`subscription.on("message")\`, \`flowControl.maxMessages
  = P\`, sleep L, \`ack()\`). Their CPU and RSS are the bench process's.
- The bound is min(P / L, ceiling). *handler ms* is the mean time in the handler: the simulated
  latency as this machine delivered it (a 1 ms sleep takes longer on a busy event loop); *% of
  P/handler* compares the rate with what that handler allows. *wait p50* is receipt → handler
  start inside the worker (the wait for a permit), which the lease window bounds.
- *fake server* rows run the worker process on the fake Pub/Sub server of tests/fake_pubsub/
  (its own process; the emulator has no exactly-once delivery): the same 10,000-event no-op
  backlog at-least-once, then exactly-once with 5% of ack IDs failing transiently once. The row
  names say how many events were handled twice and how many \`acked\` lines had no ack the server
  applied; the exactly-once row fails the run unless both are 0.
- *Scale-out* runs three worker processes on one subscription; *steady* publishes at 1,000/s
  while the worker runs (latency publish → ack); *publish* times the publisher alone.

## Results

${markdownTable(rows)}

## Targets

| Target | This run | Met |
| --- | --- | --- |
${list.map((c) => `| ${c.target} | ${c.figure} | ${c.met ? "yes" : "**no**"} |`).join("\n")}

## Targets not met, and why

${
    unmet.map((c) => `- **${c.target}** (${c.figure}): ${c.why ?? "—"}.`).join("\n") ||
    "All targets were met in this run."
  }

## Profile

Where the worker process's time went on a no-op backlog of ${NOOP_EVENTS.toLocaleString("en")}
events (\`deno run --cpu-prof\`, the same run as shipped, summed by part):

| Part | Share of sampled time |
| --- | --- |
${profile.map(([part, share]) => `| ${part} | ${share.toFixed(1)}% |`).join("\n")}

Before its first event, the worker process (exec to ready on an empty subscription, read from
/proc; the median of 3 starts) used ${startUp.cpuMs.toFixed(0)} ms of CPU (${
    startUp.cpuRangeMs.map((ms) => ms.toFixed(0)).join("–")
  } ms) and ${startUp.peakRssMb.toFixed(0)} MB of peak resident memory: every process row
includes that once. The first start after a change of code or V8 flags took ${
    startUp.firstCpuMs.toFixed(0)
  } ms: V8's code cache written under other flags is not used, so it compiled every module again
(the Docker image warms the cache under the entrypoint's flags at build time for this reason).
`;
}
