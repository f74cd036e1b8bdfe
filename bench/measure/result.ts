/** What a benchmark case measures, and how its figures are derived from the raw samples. */
import { percentile, type Usage } from "../../src/ops/usage.ts";

/** Who consumes in a case. */
export type Consumer = "event-tool" | "plain-client" | "go-peer" | "bare-stream";

/** One measured case. */
export interface CaseResult {
  name: string;
  consumer: Consumer;
  mode: "drain" | "steady" | "publish";
  pool: number;
  latencyMs: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** min(pool / latency, ceiling), events/s; undefined where it does not apply. */
  bound?: number;
  /** Steady mode: p50 and p99 of publish → receipt alone (before the consumer starts). */
  deliveryP50Ms?: number;
  deliveryP99Ms?: number;
  /** Which case of the matrix (`noop`, `slow`, `grid-100-20`, …): the targets read rows by it
   * (bench/report/targets.json). */
  case: string;
  /** The round, in cases measured more than once (1 when run once). */
  round?: number;
  /** The emulator ceiling this case was measured against, events/s. */
  ceiling?: number;
  /** eventsPerSecond / bound, in percent. */
  percentOfBound?: number;
  /** Mean time in the handler (the simulated latency as this machine delivered it). */
  handlerMeanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cpuMsPer1000: number;
  peakRssMb: number;
  /** RSS at the start and end of the case, MB (memory growth shows as a difference). */
  rssStartMb: number;
  rssEndMb: number;
  /** Receipt → handler start, p50 (event-tool in process: the wait for a permit). */
  waitP50Ms?: number;
  /** Streaming pulls the consumer opened. */
  streams?: number;
  /** Measured as its own process (its own CPU and RSS), not inside the bench process. */
  process?: boolean;
  /** What else the case found, in words, for the report. */
  note?: string;
  /** Scale-out: each replica's fraction of the events. */
  shares?: number[];
  /** Scale-out: samples where a replica idled while another held more than twice its pool. */
  idleWhileHeld?: number;
  /** The paced case: its rate in each whole 5-second window, events/s. */
  windows?: number[];
  /** Exactly-once on the fake server: events whose handler ran twice, and `acked` lines with no
   * ack the server applied. */
  handledTwice?: number;
  unconfirmedAcks?: number;
  /** Process cases: [ms since the first sample, events acked] once a second during the drain. */
  timeline?: [number, number][];
}

/** Settings of one drain or steady case. */
export interface CaseSpec {
  /** The case's id in the matrix (its rows' `case`). */
  case: string;
  pool: number;
  latencyMs: number;
  /** Lease window for the tool's worker; default its own (see worker/lease_window.ts). */
  window?: number;
  /** Streaming pulls; default the tool's own (--streams), or the client's 5 for the plain one. */
  streams?: number;
  events: number;
}

const MB = 1024 * 1024;

/** The raw figures of a case; the rest of {@linkcode CaseResult} is derived by {@linkcode result}. */
export type CaseFields = Omit<
  CaseResult,
  | "eventsPerSecond"
  | "p50Ms"
  | "p95Ms"
  | "p99Ms"
  | "cpuMsPer1000"
  | "peakRssMb"
  | "rssStartMb"
  | "rssEndMb"
  | "percentOfBound"
  | "handlerMeanMs"
>;

/** A case's result from its fields, latency samples, usage and handler times. */
export function result(
  fields: CaseFields,
  latencies: number[],
  usage: Usage,
  handlerTimes: number[] = [],
): CaseResult {
  const eventsPerSecond = fields.events / fields.seconds;
  return {
    ...fields,
    eventsPerSecond,
    ...(fields.bound === undefined
      ? {}
      : { percentOfBound: (100 * eventsPerSecond) / fields.bound }),
    handlerMeanMs: handlerTimes.length === 0
      ? 0
      : handlerTimes.reduce((a, b) => a + b, 0) / handlerTimes.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    cpuMsPer1000: (usage.cpuMs * 1000) / fields.events,
    peakRssMb: usage.peakRssBytes / MB,
    rssStartMb: (usage.rssSamples[0] ?? 0) / MB,
    rssEndMb: (usage.rssSamples.at(-1) ?? 0) / MB,
  };
}
