// The Live page: rates, pool, latency and what runs now, pushed each second, charted with uPlot.
import { el, fmt, panel, setText, tile } from "./ui.js";

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

const CHARTS = [
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

function chartOptions(chart, width) {
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

function latestLegend(u) {
  const last = u.data[0].length - 1;
  if (last >= 0) u.setLegend({ idx: last });
}

function tiles() {
  return el(
    "div",
    { class: "tiles" },
    tile("Acked", "acked", { tone: "good", title: "events handled and acked per second" }),
    tile("Nacked", "nacked", { tone: "warn", title: "events nacked per second (retried)" }),
    tile("Dead-lettered", "dead", { tone: "bad", title: "events dead-lettered per second" }),
    tile("Pool busy", "busy", { title: "events holding a pool permit / pool size" }),
    tile("Waiting", "waiting", { title: "events waiting for a permit, and for their key" }),
    tile("Leased", "leased", { title: "messages held from Pub/Sub / the lease window" }),
    tile("Handler time, 1 min", "latency", {
      title: "p50 · p95 · p99 of the handler's time over the last minute",
      className: "wide",
    }),
  );
}

function inFlightPanel() {
  return panel(
    "Handlers running",
    { note: "by age" },
    el(
      "div",
      { class: "ages" },
      ...["< 1 s", "1–10 s", "10–60 s", "≥ 1 min"].map((label, i) =>
        el(
          "div",
          { class: `age age-${i}` },
          el("b", { id: `age-${i}` }, "0"),
          el("span", {}, label),
        )
      ),
    ),
    el(
      "table",
      { class: "compact" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, "Oldest: message"),
          el("th", { class: "num" }, "attempt"),
          el("th", { class: "num" }, "running for"),
        ),
      ),
      el("tbody", { id: "oldest" }),
    ),
  );
}

function totalsPanel() {
  const row = (label, id) => el("tr", {}, el("th", {}, label), el("td", { class: "num", id }, "–"));
  return panel(
    "Since start",
    {},
    el(
      "table",
      { class: "compact" },
      el(
        "tbody",
        {},
        row("received", "t-received"),
        row("acked", "t-acked"),
        row("duplicates", "t-duplicate"),
        row("nacked", "t-nacked"),
        row("dead-lettered", "t-dead"),
        row("abandoned handlers", "t-abandoned"),
      ),
    ),
  );
}

function keysPanel() {
  return panel(
    "Keys",
    { note: "per-key order", className: "keys" },
    el(
      "p",
      { class: "line" },
      el("b", { id: "keys-running" }, "0"),
      " keys running · ",
      el("b", { id: "keys-waiting" }, "0"),
      " events waiting for their key",
    ),
    el(
      "table",
      { class: "compact" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, "Longest queues: key"),
          el("th", { class: "num" }, "running"),
          el("th", { class: "num" }, "waiting"),
        ),
      ),
      el("tbody", { id: "key-queues" }),
    ),
  );
}

function pacePanel(facts) {
  return panel(
    "Pace",
    {
      note: facts.rateLimit ? `--rate-limit ${facts.rateLimit}/s` : "slowed by the service",
      className: "pace",
    },
    el("p", { class: "big" }, el("b", { id: "pace" }, "–"), " handler starts/s allowed now"),
    el("p", { class: "muted", id: "pace-note" }, ""),
  );
}

export const liveTab = {
  id: "live",
  title: "Live",
  create() {
    const element = el("div", { class: "page live" });
    const charts = new Map();
    let data;
    let facts;
    let dirty = false;
    const resize = new ResizeObserver(() => {
      for (const [id, plot] of charts) {
        const box = document.getElementById(id);
        if (box && box.clientWidth > 0) {
          plot.setSize({ width: box.clientWidth, height: plot.height });
        }
      }
    });
    const draw = () => {
      dirty = false;
      for (const [id, plot] of charts) {
        const chart = CHARTS.find((c) => c.id === id);
        plot.setData([
          data[0],
          ...chart.series.map(([column]) => data[facts.columns.indexOf(column)]),
        ]);
        if (plot.cursor.idx === null || plot.cursor.idx === undefined) latestLegend(plot);
      }
    };
    return {
      element,
      init(factsIn, history) {
        facts = factsIn;
        data = history;
        if (element.childElementCount === 0) {
          element.append(
            tiles(),
            panel(
              CHARTS[0].title,
              { note: CHARTS[0].note, className: "wide" },
              el("div", { class: "chart", id: CHARTS[0].id }),
            ),
            el(
              "div",
              { class: "row" },
              ...CHARTS.slice(1).map((c) =>
                panel(c.title, { note: c.note }, el("div", { class: "chart", id: c.id }))
              ),
            ),
            el(
              "div",
              { class: "row three" },
              inFlightPanel(),
              totalsPanel(),
              keysPanel(),
              pacePanel(facts),
            ),
          );
        }
        dirty = true;
        if (!element.hidden) this.show();
      },
      show() {
        if (charts.size === 0 && data) {
          for (const chart of CHARTS) {
            const box = document.getElementById(chart.id);
            charts.set(chart.id, new uPlot(chartOptions(chart, box.clientWidth || 600), [[]], box));
            resize.observe(box);
          }
        }
        if (dirty || charts.size) draw();
      },
      tick(tick, visible) {
        if (!data) return;
        data.forEach((column, i) => {
          column.push(tick.point[i]);
          if (column.length > facts.historySeconds) column.shift();
        });
        dirty = true;
        if (visible && charts.size) draw();
        render(tick, facts);
      },
    };
  },
};

function render(tick, facts) {
  const at = (name) => tick.point[facts.columns.indexOf(name)];
  setText("acked", fmt.rate(at("acked")));
  setText("acked-sub", "per second");
  setText("nacked", fmt.rate(at("nacked")));
  setText("nacked-sub", "per second");
  setText("dead", fmt.rate(at("deadLettered")));
  setText("dead-sub", "per second");
  const { pool, keys, totals, inFlight } = tick;
  setText("busy", `${fmt.int(pool.busy)} / ${fmt.int(pool.size)}`);
  setText("busy-sub", `${Math.round((100 * pool.busy) / Math.max(pool.size, 1))}% of the pool`);
  setText("waiting", fmt.int(pool.waitingForPermit + keys.waiting));
  setText(
    "waiting-sub",
    `permit ${fmt.int(pool.waitingForPermit)} · key ${fmt.int(keys.waiting)}`,
  );
  setText("leased", fmt.int(pool.leased));
  setText("leased-sub", `window ${fmt.int(pool.leaseWindow)}`);
  const l = tick.latency;
  setText("latency", l ? fmt.msList([l.p50, l.p95, l.p99]) : "–");
  setText(
    "latency-sub",
    l ? `p50 · p95 · p99 of ${fmt.int(l.count)} calls` : "no handler ran in the last minute",
  );
  inFlight.byAge.forEach((n, i) => setText(`age-${i}`, fmt.int(n)));
  const oldest = document.getElementById("oldest");
  oldest.replaceChildren(
    ...(inFlight.oldest.length === 0
      ? [el("tr", {}, el("td", { colspan: 3, class: "muted" }, "nothing running"))]
      : inFlight.oldest.map((call) =>
        el(
          "tr",
          {},
          el("td", { class: "mono" }, call.messageId),
          el("td", { class: "num" }, call.attempt),
          el("td", { class: "num" }, fmt.age(call.ageMs)),
        )
      )),
  );
  setText("t-received", fmt.int(totals.received));
  setText("t-acked", fmt.int(totals.acked));
  setText("t-duplicate", fmt.int(totals.duplicate));
  setText("t-nacked", fmt.int(totals.nacked));
  setText("t-dead", fmt.int(totals.deadLettered));
  setText("t-abandoned", fmt.int(pool.abandoned));
  const keyed = facts.keyFrom !== null || keys.keysInFlight > 0 || keys.waiting > 0;
  document.querySelector(".panel.keys").hidden = !keyed;
  setText("keys-running", fmt.int(keys.keysInFlight));
  setText("keys-waiting", fmt.int(keys.waiting));
  document.getElementById("key-queues").replaceChildren(
    ...(keys.longest.length === 0
      ? [el("tr", {}, el("td", { colspan: 3, class: "muted" }, "no key has a queue"))]
      : keys.longest.map((q) =>
        el(
          "tr",
          {},
          el("td", { class: "mono" }, q.key),
          el("td", { class: "num" }, q.running),
          el("td", { class: "num" }, q.waiting),
        )
      )),
  );
  document.querySelector(".panel.pace").hidden = tick.pace === null;
  if (tick.pace !== null) {
    setText("pace", fmt.rate(tick.pace));
    setText(
      "pace-note",
      facts.rateLimit && tick.pace < facts.rateLimit
        ? `lowered from ${facts.rateLimit}/s: the service is throttling`
        : "",
    );
  }
}
