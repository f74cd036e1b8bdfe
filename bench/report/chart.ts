/**
 * The chart a reader of docs/BENCHMARKS.md sees first: events/s per case for event-tool, the
 * plain client and the Go peer, side by side (the median of the rounds measured), with the
 * ceiling drawn across. Plain SVG, written by hand (a dozen rectangles do not need a charting
 * library).
 */
import { median } from "../../src/ops/usage.ts";
import type { Row } from "./table.ts";

/** One group of bars: a case, and each consumer's rate in it (absent when not measured). */
export interface ChartGroup {
  label: string;
  values: Partial<Record<ChartSeries, number | undefined>>;
}

/** The consumers compared, in the order their bars stand. */
export const CHART_SERIES = ["event-tool", "plain client", "Go peer"] as const;
export type ChartSeries = typeof CHART_SERIES[number];

const COLOURS: Record<ChartSeries, string> = {
  "event-tool": "#2b6cb0",
  "plain client": "#a0aec0",
  "Go peer": "#38a169",
};
const WIDTH = 900;
const HEIGHT = 420;
const MARGIN = { top: 40, right: 20, bottom: 80, left: 70 };

const escape = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A "nice" axis maximum at or above `value`. */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The SVG text of the chart. */
export function renderChart(groups: readonly ChartGroup[], ceiling: number, title: string): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = groups.flatMap((g) => Object.values(g.values).filter((v) => v !== undefined));
  const max = niceMax(Math.max(ceiling, ...all) * 1.05);
  const y = (v: number) => MARGIN.top + plotH - (v / max) * plotH;
  const groupW = plotW / Math.max(groups.length, 1);
  const barW = (groupW * 0.8) / CHART_SERIES.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" ` +
        `stroke="#e2e8f0"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${
        Math.round(v).toLocaleString("en")
      }</text>`,
    );
  }
  groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * groupW + groupW * 0.1;
    CHART_SERIES.forEach((series, s) => {
      const value = group.values[series];
      if (value === undefined) return;
      const x = x0 + s * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barW - 2).toFixed(1)}" ` +
          `height="${(MARGIN.top + plotH - y(value)).toFixed(1)}" fill="${COLOURS[series]}">` +
          `<title>${escape(`${series}, ${group.label}: ${Math.round(value)} events/s`)}</title>` +
          `</rect>`,
      );
    });
    parts.push(
      `<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 16}" ` +
        `text-anchor="middle">${escape(group.label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(ceiling)}" ` +
      `y2="${y(ceiling)}" stroke="#e53e3e" stroke-dasharray="6 4" stroke-width="2"/>`,
    `<text x="${WIDTH - MARGIN.right}" y="${y(ceiling) - 6}" text-anchor="end" fill="#e53e3e">` +
      `ceiling ${Math.round(ceiling).toLocaleString("en")} events/s</text>`,
    `<text x="16" y="${MARGIN.top + plotH / 2}" transform="rotate(-90 16 ${
      MARGIN.top + plotH / 2
    })" text-anchor="middle">events/s</text>`,
  );
  CHART_SERIES.forEach((series, s) => {
    const x = MARGIN.left + s * 150;
    const yy = HEIGHT - 24;
    parts.push(
      `<rect x="${x}" y="${yy - 10}" width="12" height="12" fill="${COLOURS[series]}"/>`,
      `<text x="${x + 18}" y="${yy}">${escape(series)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** The chart's groups: the head-to-head cases, then the grid's cells with the plain client. */
export function chartGroups(rows: readonly Row[]): ChartGroup[] {
  const rate = (id: string, consumer: string) =>
    median(
      rows.filter((r) => r.case === id && r.consumer === consumer).map((r) => r.eventsPerSecond),
    );
  const groups: ChartGroup[] = [
    ["noop", "no-op, P=1000"],
    ["slow", "P=100, L=20ms"],
    ["slow50", "P=200, L=50ms"],
  ].map(([id, label]) => ({
    label: label!,
    values: {
      "event-tool": rate(id!, "event-tool"),
      "plain client": rate(id!, "plain-client"),
      "Go peer": rate(id!, "go-peer"),
    },
  }));
  for (const [pool, latencyMs] of [[1000, 20], [1000, 1], [100, 1], [10, 1]]) {
    const id = `grid-${pool}-${latencyMs}`;
    groups.push({
      label: `P=${pool}, L=${latencyMs}ms`,
      values: { "event-tool": rate(id, "event-tool"), "plain client": rate(id, "plain-client") },
    });
  }
  return groups;
}
