/**
 * A run's figures as the targets read them: one per case, consumer and round, from the rows,
 * the start-ups, and what is derived from them: the marginal CPU per 1,000 events between the
 * 40,000- and the 120,000-event drain of the same consumer in the same round (start-up cancels
 * out), and the grid's ratios to the plain client.
 */
import type { StartUp } from "../cases/startup.ts";
import type { Figure } from "./targets.ts";
import type { Row } from "./table.ts";

/** The case of the short and the long drain whose difference is the marginal cost. */
export const MARGINAL_FROM = "noop";
export const MARGINAL_TO = "long";

/** The numeric figures of a row, and its lists (shares, windows). */
function valuesOf(row: Row): Figure["values"] {
  const values: Record<string, number | readonly number[] | undefined> = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "number") values[key] = value;
  }
  values.shares = row.shares;
  values.windows = row.windows;
  return values;
}

/** CPU time of a row's whole process, ms. */
const cpuMsOf = (row: Row) => (row.cpuMsPer1000 * row.events) / 1000;

/** The marginal cost of each consumer in each round that ran both drains. */
export function marginal(rows: readonly Row[]): Figure[] {
  const figures: Figure[] = [];
  for (const long of rows.filter((r) => r.case === MARGINAL_TO)) {
    const short = rows.find((r) =>
      r.case === MARGINAL_FROM && r.consumer === long.consumer && r.round === long.round
    );
    if (!short || long.events <= short.events) continue;
    figures.push({
      case: "marginal",
      consumer: long.consumer,
      round: long.round ?? 1,
      values: {
        cpuMsPer1000: ((cpuMsOf(long) - cpuMsOf(short)) * 1000) / (long.events - short.events),
      },
    });
  }
  return figures;
}

/** The start-ups as figures: the worker's and the floor's, one per measured start. */
function startUpFigures(startUp: StartUp | undefined): Figure[] {
  if (!startUp) return [];
  const figures = (consumer: string, runs: StartUp["worker"]["runs"]) =>
    runs.map((run, i): Figure => ({
      case: "startup",
      consumer,
      round: i + 1,
      values: { cpuMs: run.cpuMs, peakRssMb: run.peakRssMb },
    }));
  return [
    ...figures("event-tool", startUp.worker.runs),
    ...figures("import-floor", startUp.floor.runs),
  ];
}

/** The grid's ratios to the plain client, as one list. */
function grid(rows: readonly Row[]): Figure[] {
  const ratios = rows.filter((r) => r.case.startsWith("grid-") && r.vsPlainClient !== undefined)
    .map((r) => r.vsPlainClient!);
  if (ratios.length === 0) return [];
  return [{ case: "grid", consumer: "event-tool", round: 1, values: { vsPlainClient: ratios } }];
}

/** Every figure of a run. */
export function figuresOf(rows: readonly Row[], startUp?: StartUp): Figure[] {
  return [
    ...rows.map((row) => ({
      case: row.case,
      consumer: row.consumer,
      round: row.round ?? 1,
      values: valuesOf(row),
    })),
    ...marginal(rows),
    ...startUpFigures(startUp),
    ...grid(rows),
  ];
}
