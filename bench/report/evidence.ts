/**
 * The run's own evidence that the reasons of checks.ts cite (the worker's start-up, its size
 * before the first event, the bare-stream floor), and the figure formats they share.
 */
import type { pick } from "./rows.ts";
import { NOOP_EVENTS } from "../matrix.ts";
import type { StartUp } from "../cases/startup.ts";

export const f0 = (n: number | undefined): string => (n ?? 0).toFixed(0);
export const f1 = (n: number | undefined): string => (n ?? 0).toFixed(1);
export const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(0)}%`;
/** `a` as a multiple of `b`, or "?" when either is missing. */
export const x = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b ? `${(a / b).toFixed(2)}×` : "?";
/** Whether `test` holds in every round measured (the worker's row and the peer's of each). */
export function inEveryRound<T>(
  rounds: [T | undefined, T | undefined][],
  test: (tool: T, peer: T) => boolean,
): boolean {
  return rounds.every(([tool, peer]) =>
    tool === undefined || peer === undefined || test(tool, peer)
  );
}
/** A figure and, when measured, its second round, as "a (round 2: b)". */
export const both = (a: number | undefined, b: number | undefined, f = f1): string =>
  `${f(a)}${b === undefined ? "" : ` (round 2: ${f(b)})`}`;

/** Reasons shared by the CPU and memory targets, from this run's rows and start-up. */
export function evidence(r: ReturnType<typeof pick>, startUp?: StartUp) {
  const fixed = (events: number) =>
    startUp
      ? `start-up alone (exec to ready, the median of three starts in this run) costs ` +
        `${f0(startUp.cpuMs)} ms of CPU, ${f1((startUp.cpuMs * 1000) / events)} of the ` +
        `figure per 1,000 of a ${events}-event drain (the Go peer's whole start-up is a few ms); `
      : "";
  const resident = startUp
    ? `the worker is ${f0(startUp.peakRssMb)} MB resident, started and connected, before its ` +
      "first event (measured in this run;"
    : "the worker is about 120 MB resident, started and connected, before its first event (";
  // The floor: the same package, runtime and flags with the Go design's per-event work only.
  const [b, b2, g] = [r.bareNoop, r.bareNoop2, r.goNoop];
  const floor = b && g
    ? `the bare stream (bench/peers/bare: the same package, runtime and V8 flags, the Go ` +
      `design's per-event work and nothing else) costs ${both(b.cpuMsPer1000, b2?.cpuMsPer1000)}` +
      ` ms per 1,000 = ${x(b.cpuMsPer1000, g.cpuMsPer1000)} Go's, so the gap is not Deno or ` +
      "the gRPC stack but the worker's own cost: "
    : "";
  const rssFloor = b && g
    ? `the bare stream peaks at ${both(b.peakRssMb, b2?.peakRssMb, f0)} MB = ` +
      `${x(b.peakRssMb, g.peakRssMb)} the Go peer's: Deno and the package alone are past the ` +
      "target before any feature of the worker; "
    : "";
  return {
    resident,
    rssFloor,
    /** Why the worker's CPU per 1,000 events of a drain of `events` is what it is. */
    cpuWhy: (events = NOOP_EVENTS) =>
      `${floor}${fixed(events)}the rest is its per-event work (validation, dedupe, leases, ` +
      "metrics, the outcome line, their garbage: see Profile); the two rounds show this " +
      "machine's run-to-run spread",
  };
}
