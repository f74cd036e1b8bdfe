// The Live page: rates, pool, latency and what runs now, pushed each second, charted with uPlot.
import { chartOptions, CHARTS, latestLegend } from "./charts.js";
import { el, emptyRow, fmt, headedTable, panel, setText, tile } from "./ui.js";

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
    headedTable([["Oldest: message"], ["attempt", "num"], ["running for", "num"]], "oldest"),
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
    headedTable([["Longest queues: key"], ["running", "num"], ["waiting", "num"]], "key-queues"),
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
      ? [emptyRow(3, "nothing running")]
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
      ? [emptyRow(3, "no key has a queue")]
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
