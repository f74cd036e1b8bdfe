/**
 * The targets the report checks, read from targets.json (the one table of them: nothing about a
 * target is typed here), and how a run's figures meet them: each round's value (the figure, its
 * ratio to the peer's figure of the same round or to a number, or its difference from the peer's),
 * then the median of the rounds, which decides; the spread is shown beside it.
 */
import { median } from "../../src/ops/usage.ts";
import table from "./targets.json" with { type: "json" };

/** One side of a comparison: a case's figure, for a consumer (default the worker). */
export interface Side {
  case: string;
  consumer?: string;
  metric: string;
}

/** A target as targets.json gives it. */
export interface Target {
  id: string;
  /** The issue that set it, when known. */
  issue?: number;
  /** The target in words. */
  target: string;
  measure: Side;
  /** Divided by (or, with `difference`, subtracted from) the measure of the same round. */
  against?: Side | number;
  difference?: boolean;
  /** The measure is a list (windows, shares): every value must be within the limits. */
  each?: boolean;
  /** Show a ratio to a number as a percentage of it. */
  percent?: boolean;
  atMost?: number;
  atLeast?: number;
  /** The unit of the compared value, when not a ratio. */
  unit?: string;
}

/** Every target, in the report's order. */
export const TARGETS: readonly Target[] = table as Target[];

/** The figures of one consumer in one round of one case. */
export interface Figure {
  case: string;
  consumer: string;
  round: number;
  values: Readonly<Record<string, number | readonly number[] | undefined>>;
}

/** How a run met one target. */
export interface Verdict {
  target: Target;
  /** The compared value of each round measured (for `each`: every value). */
  values: number[];
  /** The median of `values`; undefined when nothing was measured. */
  median: number | undefined;
  /** The medians of the two sides' own figures, for the words. */
  sides: [number | undefined, number | undefined];
  met: boolean;
}

const within = (target: Target, value: number) =>
  (target.atMost === undefined || value <= target.atMost) &&
  (target.atLeast === undefined || value >= target.atLeast);

/** `side`'s figure in each round it was measured, by round. */
function byRound(figures: readonly Figure[], side: Side): Map<number, number | readonly number[]> {
  const rounds = new Map<number, number | readonly number[]>();
  for (const f of figures) {
    if (f.case !== side.case || f.consumer !== (side.consumer ?? "event-tool")) continue;
    const value = f.values[side.metric];
    if (value !== undefined) rounds.set(f.round, value);
  }
  return rounds;
}

const single = (values: Map<number, number | readonly number[]>) =>
  [...values.values()].filter((v): v is number => typeof v === "number");

/** How `figures` meet `target`. */
export function judge(target: Target, figures: readonly Figure[]): Verdict {
  const measured = byRound(figures, target.measure);
  if (target.each) {
    const values = [...measured.values()].flatMap((v) => typeof v === "number" ? [v] : [...v]);
    return {
      target,
      values,
      median: median(values),
      sides: [median(values), undefined],
      met: values.length > 0 && values.every((v) => within(target, v)),
    };
  }
  const against = target.against;
  const values: number[] = [];
  // The two sides' figures of the rounds compared: a case measured in one round is shown
  // beside its peer's figure of that round, not the median of rounds it was not compared with.
  let mine = single(measured);
  let others: number[] = [];
  if (against === undefined) values.push(...mine);
  else if (typeof against === "number") {
    values.push(...mine.map((v) => v / against));
    others = [against];
  } else {
    const peer = byRound(figures, against);
    mine = [];
    for (const [round, value] of measured) {
      const other = peer.get(round);
      if (typeof value !== "number" || typeof other !== "number") continue;
      values.push(target.difference ? value - other : value / other);
      mine.push(value);
      others.push(other);
    }
  }
  const m = median(values);
  return {
    target,
    values,
    median: m,
    sides: [median(mine), median(others)],
    met: m !== undefined && within(target, m),
  };
}

/** Every target of {@linkcode TARGETS} judged on `figures`. */
export function judgeAll(figures: readonly Figure[], targets = TARGETS): Verdict[] {
  return targets.map((target) => judge(target, figures));
}
