/**
 * How the report writes figures and verdicts: a figure in its unit, a median with the spread of
 * its rounds, a verdict's value in words, and by how much an unmet target misses.
 */
import type { Side, Target, Verdict } from "./targets.ts";

export const f0 = (n: number | undefined): string => n === undefined ? "—" : n.toFixed(0);
export const f1 = (n: number | undefined): string => n === undefined ? "—" : n.toFixed(1);
export const f2 = (n: number | undefined): string => n === undefined ? "—" : n.toFixed(2);
/** A count with thousands separated: 40,000. */
export const n0 = (n: number): string => Math.round(n).toLocaleString("en");

/** Each metric's unit, as the report writes it after a figure. */
const UNITS: Record<string, string> = {
  cpuMsPer1000: "CPU-ms per 1,000 events",
  eventsPerSecond: "events/s",
  peakRssMb: "MB",
  cpuMs: "ms of CPU",
  percentOfBound: "%",
  waitP50Ms: "ms",
  handlerMeanMs: "ms",
  idleWhileHeld: "samples",
  handledTwice: "events",
  unconfirmedAcks: "lines",
  windows: "events/s",
  vsPlainClient: "×",
};

/** The unit of `side`'s metric. */
export function unitOf(side: Side): string {
  return UNITS[side.metric] ?? "";
}

/** `value` as the target compares it: a ratio (1.46×), a percentage, or a figure in its unit. */
function compared(target: Target, value: number | undefined): string {
  if (value === undefined) return "—";
  if (target.difference) return `${value >= 0 ? "+" : ""}${f0(value)} ${target.unit ?? ""}`.trim();
  if (typeof target.against === "number" && target.percent) return `${f0(100 * value)}%`;
  if (target.against !== undefined) return `${f2(value)}×`;
  const unit = target.unit ?? unitOf(target.measure);
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? f0(value) : f2(value);
  return unit === "%" || unit === "×" ? `${digits}${unit}` : `${digits} ${unit}`.trim();
}

/** The spread of the rounds: "1.41–1.52 over 3 rounds", or nothing for one. */
function spread(verdict: Verdict): string {
  if (verdict.values.length < 2) return "";
  const low = Math.min(...verdict.values);
  const high = Math.max(...verdict.values);
  const show = (v: number) => compared(verdict.target, v);
  return ` (rounds: ${show(low)} to ${show(high)}, ${verdict.values.length} rounds)`;
}

/** A verdict's figure in words: the median, its spread, and the two sides compared. */
export function figureOf(verdict: Verdict): string {
  const { target, values, median, sides } = verdict;
  if (values.length === 0) return "not measured in this run";
  if (target.each) return `${values.map((v) => compared(target, v)).join(", ")}`;
  const [mine, theirs] = sides;
  const unit = unitOf(target.measure);
  const show = (n: number | undefined) => n !== undefined && Math.abs(n) >= 100 ? f0(n) : f1(n);
  const versus = typeof target.against === "object"
    ? `: ${show(mine)} vs ${show(theirs)} ${unit} (${
      target.against.consumer ?? target.against.case
    })`
    : typeof target.against === "number"
    ? ` of ${n0(target.against)} (${f0(mine)} ${unit})`
    : "";
  return `**${compared(target, median)}**${spread(verdict)}${versus}`;
}

/** The limit in words: "≤ 1.3×", "≥ 95%", "+80 ms at most". */
export function limitOf(target: Target): string {
  const show = (v: number) => compared(target, v);
  if (target.atMost !== undefined && target.atLeast !== undefined) {
    return `${show(target.atLeast)} to ${show(target.atMost)}`;
  }
  return target.atMost !== undefined ? `≤ ${show(target.atMost)}` : `≥ ${show(target.atLeast!)}`;
}

/** By how much an unmet verdict misses its limit, in words. */
export function missOf(verdict: Verdict): string {
  const { target, median, values } = verdict;
  if (median === undefined) return "not measured";
  if (target.each) {
    const out = values.filter((v) =>
      (target.atMost !== undefined && v > target.atMost) ||
      (target.atLeast !== undefined && v < target.atLeast)
    );
    return `${out.length} of ${values.length} outside ${limitOf(target)}`;
  }
  const over = target.atMost !== undefined && median > target.atMost;
  const limit = over ? target.atMost! : target.atLeast!;
  if (target.difference || limit === 0) {
    return `${compared(target, Math.abs(median - limit))} ${over ? "over" : "short of"} the limit`;
  }
  const relative = Math.abs(median / limit - 1);
  return `${(100 * relative).toFixed(0)}% ${over ? "over" : "short of"} the limit (${
    limitOf(target)
  })`;
}
