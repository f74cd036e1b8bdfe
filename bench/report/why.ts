/**
 * Why a target was not met, from the run's own evidence: the bare-stream floor, the start-up
 * and the import costs measured in the same run, and the profiles of the drains. Each reason is
 * keyed by a target's id in targets.json; a target without one gets only its figures.
 */
import { median } from "../../src/ops/usage.ts";
import type { ImportCost, StartUp } from "../cases/startup.ts";
import type { Profile } from "../cases/profile.ts";
import type { Row } from "./table.ts";
import { f0, f1, n0 } from "./words.ts";

/** What the reasons may cite. */
export interface Evidence {
  rows: readonly Row[];
  startUp?: StartUp | undefined;
  imports?: readonly ImportCost[] | undefined;
  profiles: readonly Profile[];
}

/** The median of a case's figure for a consumer over its rounds. */
function figure(e: Evidence, id: string, consumer: string, pick: (r: Row) => number | undefined) {
  return median(
    e.rows.filter((r) => r.case === id && r.consumer === consumer).map(pick)
      .filter((v): v is number => v !== undefined),
  );
}

const startCpu = (e: Evidence) => median(e.startUp?.worker.runs.map((r) => r.cpuMs) ?? []);
const startRss = (e: Evidence) => median(e.startUp?.worker.runs.map((r) => r.peakRssMb) ?? []);
const floorCpu = (e: Evidence) => median(e.startUp?.floor.runs.map((r) => r.cpuMs) ?? []);
const floorRss = (e: Evidence) => median(e.startUp?.floor.runs.map((r) => r.peakRssMb) ?? []);

/** The bare stream's no-op CPU against Go's: the floor of any Deno consumer of the package. */
function bareFloor(e: Evidence): string {
  const bare = figure(e, "noop", "bare-stream", (r) => r.cpuMsPer1000);
  const go = figure(e, "noop", "go-peer", (r) => r.cpuMsPer1000);
  if (bare === undefined || go === undefined) return "";
  return `the bare stream (bench/peers/bare: the package's StreamingPull with the Go design's ` +
    `per-event work and nothing else, same runtime and V8 flags) costs ${f1(bare)} CPU-ms per ` +
    `1,000 on the no-op drain, ${(bare / go).toFixed(2)}× Go's; `;
}

/** Start-up's share of a drain's figure per 1,000 events. */
function startShare(e: Evidence, events: number): string {
  const cpu = startCpu(e);
  if (cpu === undefined) return "";
  return `start-up (exec to ready, median) costs ${f0(cpu)} ms of CPU, ${
    f1((cpu * 1000) / events)
  } of the figure per 1,000 of this ${n0(events)}-event drain (the Go peer's is a few ms); `;
}

/** The top entries of the profile of `id`'s drain. */
function profileOf(e: Evidence, id: string, count = 6): string {
  const profile = e.profiles.find((p) => p.case === id);
  if (!profile) return "";
  const top = profile.top.slice(0, count).map((t) => `${t.frame} ${f1(t.msPer1000)}`).join(", ");
  return `its drain's profile (main thread, ${f1(profile.busyMsPer1000)} ms busy per 1,000 ` +
    `events under the profiler; see Profiles) spends the most on ${top} ms per 1,000`;
}

/** The parts of a reason that have evidence in this run, joined. */
const joined = (...parts: string[]) =>
  parts.map((p) => p.replace(/; $/, "")).filter(Boolean).join("; ");

const cpuWhy = (id: string) => (e: Evidence) => {
  const events = figure(e, id, "event-tool", (r) => r.events) ?? 0;
  return joined(bareFloor(e), startShare(e, events), profileOf(e, id));
};

const rateWhy = (e: Evidence) =>
  joined(
    "the consumers share two cores with the emulator's JVM, so a consumer's rate follows its " +
      "CPU per event (the CPU rows)",
    profileOf(e, "noop", 3),
  );

const slowRateWhy = (e: Evidence) => {
  const handler = figure(e, "slow", "event-tool", (r) => r.handlerMeanMs);
  return `the simulated 20 ms handler took ${f1(handler)} ms on average in the worker (a timer ` +
    `fires late on a busy event loop), which bounds the rate at ${
      f0(100_000 / Math.max(handler ?? 20, 0.001))
    }/s; the rate is timed from the first receipt to the last ack, ramp-up and tail included`;
};

const rssWhy = (e: Evidence) =>
  `the worker is ${f0(startRss(e))} MB resident, connected and ready, before its first event ` +
  `(the package imported alone: ${f0(floorRss(e))} MB); the bare stream peaks at ${
    f0(figure(e, "noop", "bare-stream", (r) => r.peakRssMb))
  } MB on the no-op drain; what a drain adds is the young generation (16 MB semi-spaces, the ` +
  "worker's V8 flags) and garbage awaiting collection under the 128 MB old-generation cap";

const importsWhy = (e: Evidence, key: "cpuMs" | "rssMb") => {
  const costs = (e.imports ?? []).filter((c) => c.specifier !== "(an empty program)");
  const unit = key === "cpuMs" ? "ms" : "MB";
  const listed = costs.map((c) => `${c.specifier} ${key === "cpuMs" ? f0(c[key]) : f1(c[key])}`);
  return listed.length === 0 ? "" : `; what each import adds to the floor, measured alone in ` +
    `this run (${unit}): ${listed.join(", ")}`;
};

/** Reasons by target id. */
export const WHY: Record<string, (e: Evidence) => string> = {
  "noop-cpu": cpuWhy("noop"),
  "slow-cpu": cpuWhy("slow"),
  "marginal-cpu": (e) =>
    `start-up cancels out of this figure; ${bareFloor(e)}${profileOf(e, "noop")}`,
  "noop-rate": rateWhy,
  "slow-rate": slowRateWhy,
  "slow-bound": slowRateWhy,
  "noop-rss": rssWhy,
  "backlog-rss": rssWhy,
  "startup-cpu": (e) =>
    `the worker took ${f0(startCpu(e))} ms from exec to ready against ${f0(floorCpu(e))} ms ` +
    "for the package import alone: beyond its own modules it builds the generated client " +
    "(the package's protobuf descriptors, which every consumer of it loads, the bare stream " +
    "too), connects, checks the subscription and opens its streams" + importsWhy(e, "cpuMs"),
  "startup-rss": (e) =>
    `${f0(startRss(e))} MB at ready against ${f0(floorRss(e))} MB for the package import ` +
    "alone: the generated client's descriptors and the young generation that start-up's " +
    "allocations grow (16 MB semi-spaces)" + importsWhy(e, "rssMb"),
  "acks-on-stream": () =>
    "the two differ by less than this machine's run-to-run noise; see the rounds in All rows",
  schema: () =>
    "both rows run the same compiled validator; the difference is run-to-run noise on these " +
    "shared cores",
  ordered: () =>
    "the rate is from the first receipt to the last ack: the first second fills the keys (the " +
    "emulator hands each key's events over in runs, so the worker holds them beyond the window, " +
    "--max-waiting) and the last ones run out unevenly",
  wait: () =>
    "the window is 13 messages for P=10 at 100 ms, but the emulator sends a stream a whole " +
    "batch (about 50 messages) whenever it holds fewer than its limit, so the worker holds about " +
    "60, and each waits its turn for one of 10 permits: ~5 handler times. Pub/Sub sends a " +
    "stream no more than its limit",
  "scale-out": (e) =>
    `${e.rows.find((r) => r.case === "scale-out")?.note ?? ""}; the emulator does not hold a ` +
    "stream to the flow control the client sends, so whichever replica pulls first can take a " +
    "burst; Pub/Sub applies it per stream",
  "scale-out-shares": () =>
    "the emulator hands a burst to whichever replica pulls first, ignoring the per-stream flow " +
    "control the client sends",
  "scale-out-idle": (e) =>
    `${e.rows.find((r) => r.case === "scale-out-small")?.note ?? ""}; the emulator handed one ` +
    "replica most of the small backlog at once, ignoring the per-stream flow control " +
    "(maxOutstandingMessages) the client sends",
  http: (e) =>
    "the receiver runs in the bench process on the same two cores; its 20 ms sleep and the " +
    `request round trip took ${f1(figure(e, "http", "event-tool", (r) => r.handlerMeanMs))} ms ` +
    "per event on average",
  console: () =>
    "each round compares two worker processes on their own backlogs, whose CPU differs by a " +
    "few percent between identical runs on these shared cores; the console's own work is " +
    "measured apart by `deno task microbench` (bench/console_bench.ts)",
};

for (const pool of [10, 100, 1000]) {
  for (const latency of [1, 20, 100]) {
    WHY[`grid-${pool}-${latency}`] = (e) =>
      `the handler's ${latency} ms sleep took ${
        f1(figure(e, `grid-${pool}-${latency}`, "event-tool", (r) => r.handlerMeanMs))
      } ms per event on this busy event loop, which bounds the rate below P/L`;
  }
}
