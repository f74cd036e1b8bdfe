// The Live page's charts (uPlot): what each draws, in which colours, and how.
import { fmt } from "./ui.js";

/** The series' colours (the page's tiles use the same tones). */
const COLORS = {
  acked: "#1a7f37",
  nacked: "#d97706",
  deadLettered: "#cf222e",
  p50: "#0969da",
  p95: "#8250df",
  p99: "#bf3989",
  busy: "#0969da",
  leased: "#1b7c83",
  waiting: "#d97706",
};

export const CHARTS = [
  {
    id: "chart-rates",
    title: "Events per second",
    note: "last 5 minutes",
    series: [["acked", "acked"], ["nacked", "nacked"], ["deadLettered", "dead-lettered"]],
    unit: "/s",
    fill: true,
  },
  {
    id: "chart-latency",
    title: "Handler time",
    note: "per second, ms",
    series: [["p50", "p50"], ["p95", "p95"], ["p99", "p99"]],
    unit: " ms",
  },
  {
    id: "chart-pool",
    title: "Pool and leases",
    note: "events",
    series: [["busy", "busy"], ["leased", "leased"], ["waiting", "waiting"]],
    unit: "",
  },
];

/** The x axis shows at least the last 30 s, at most the history (five minutes). */
const MIN_SPAN_S = 30;

export function chartOptions(chart, width) {
  const axis = { stroke: "#57606a", grid: { stroke: "#eaeef2" }, ticks: { stroke: "#d0d7de" } };
  return {
    width,
    height: chart.id === "chart-rates" ? 220 : 180,
    padding: [8, 28, 0, 0],
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] },
      y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] },
    },
    axes: [
      { ...axis, space: 70, values: (_u, splits) => splits.map((v) => fmt.time(v * 1000)) },
      { ...axis, size: 56, values: (_u, splits) => splits.map((v) => fmt.rate(v)) },
    ],
    series: [
      { label: "time", value: (_u, v) => (v === null ? "–" : fmt.time(v * 1000)) },
      ...chart.series.map(([column, label]) => ({
        label,
        stroke: COLORS[column],
        width: 1.6,
        fill: chart.fill ? `${COLORS[column]}1a` : undefined,
        points: { show: false },
        spanGaps: false,
        value: (_u, v) => (v === null ? "–" : `${fmt.rate(v)}${chart.unit}`),
      })),
    ],
    hooks: {
      // Away from the cursor the legend shows the latest second.
      setCursor: [(u) => {
        if (u.cursor.idx === null || u.cursor.idx === undefined) latestLegend(u);
      }],
    },
  };
}

export function latestLegend(u) {
  const last = u.data[0].length - 1;
  if (last >= 0) u.setLegend({ idx: last });
}
