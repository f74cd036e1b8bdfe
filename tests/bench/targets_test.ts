import assert from "node:assert/strict";
import type { Row } from "../../bench/report/table.ts";
import { figuresOf, marginal } from "../../bench/report/figures.ts";
import { type Figure, judge, type Target, TARGETS } from "../../bench/report/targets.ts";
import { figureOf, missOf } from "../../bench/report/words.ts";

const figure = (consumer: string, round: number, values: Figure["values"]): Figure => ({
  case: "noop",
  consumer,
  round,
  values,
});
const cpu: Target = {
  id: "cpu",
  target: "CPU ≤ 1.3× Go's",
  measure: { case: "noop", metric: "cpuMsPer1000" },
  against: { case: "noop", consumer: "go-peer", metric: "cpuMsPer1000" },
  atMost: 1.3,
};

Deno.test("judge() takes the median of the rounds' ratios, each round against its own peer", () => {
  const figures = [
    figure("event-tool", 1, { cpuMsPer1000: 40 }),
    figure("go-peer", 1, { cpuMsPer1000: 20 }), // 2.0
    figure("event-tool", 2, { cpuMsPer1000: 30 }),
    figure("go-peer", 2, { cpuMsPer1000: 25 }), // 1.2
    figure("event-tool", 3, { cpuMsPer1000: 26 }),
    figure("go-peer", 3, { cpuMsPer1000: 20 }), // 1.3
  ];
  const verdict = judge(cpu, figures);
  assert.deepEqual(verdict.values, [2, 1.2, 1.3]);
  assert.equal(verdict.median, 1.3);
  assert.equal(verdict.met, true, "the median meets it although one round does not");
  assert.match(
    figureOf(verdict),
    /^\*\*1\.30×\*\* \(rounds: 1\.20× to 2\.00×, 3 rounds\): 30\.0 vs 20\.0/,
  );
  const worse = judge(
    cpu,
    figures.map((f) =>
      f.consumer === "go-peer" ? f : {
        ...f,
        values: { cpuMsPer1000: (f.values.cpuMsPer1000 as number) * 1.2 },
      }
    ),
  );
  assert.equal(worse.met, false);
  assert.equal(missOf(worse), "20% over the limit (≤ 1.30×)");
});

Deno.test("judge() reads differences, shares of a number and every value of a list", () => {
  const startUp: Target = {
    id: "s",
    target: "start-up ≤ floor + 80 ms",
    measure: { case: "startup", metric: "cpuMs" },
    against: { case: "startup", consumer: "import-floor", metric: "cpuMs" },
    difference: true,
    atMost: 80,
    unit: "ms",
  };
  const starts = [1, 2, 3].flatMap((round) => [
    { case: "startup", consumer: "event-tool", round, values: { cpuMs: 300 + 10 * round } },
    { case: "startup", consumer: "import-floor", round, values: { cpuMs: 200 } },
  ]);
  const late = judge(startUp, starts);
  assert.equal(late.median, 120);
  assert.equal(missOf(late), "+40 ms over the limit");
  const bound = judge({
    id: "b",
    target: "≥ 95% of 5,000/s",
    measure: { case: "noop", metric: "eventsPerSecond" },
    against: 5000,
    atLeast: 0.95,
    percent: true,
  }, [figure("event-tool", 1, { eventsPerSecond: 4600 })]);
  assert.equal(bound.met, false);
  assert.match(figureOf(bound), /^\*\*92%\*\* of 5,000/);
  const windows = judge({
    id: "w",
    target: "every window 180 to 220",
    measure: { case: "noop", metric: "windows" },
    each: true,
    atLeast: 180,
    atMost: 220,
  }, [figure("event-tool", 1, { windows: [200, 230, 190] })]);
  assert.equal(windows.met, false);
  assert.equal(missOf(windows), "1 of 3 outside 180 events/s to 220 events/s");
  assert.equal(judge(cpu, []).met, false, "not measured is not met");
  // Measured in round 1 only: compared with its peer's round 1, and shown beside that round's.
  const once = judge(
    { ...cpu, measure: { case: "schema", metric: "cpuMsPer1000" } },
    [
      ...[1, 2, 3].map((round) => figure("go-peer", round, { cpuMsPer1000: 10 * round })),
      { case: "schema", consumer: "event-tool", round: 1, values: { cpuMsPer1000: 12 } },
    ],
  );
  assert.deepEqual([once.values, once.sides], [[1.2], [12, 10]]);
  assert.match(figureOf(once), /^\*\*1\.20×\*\*: 12\.0 vs 10\.0 /);
});

Deno.test("marginal() is the CPU between the short and the long drain of the same round", () => {
  const row = (id: string, events: number, cpuMsPer1000: number, round: number) =>
    ({ case: id, consumer: "go-peer", events, cpuMsPer1000, round }) as Row;
  const figures = marginal([row("noop", 40_000, 30, 1), row("long", 120_000, 20, 1)]);
  // (2,400 − 1,200) ms over 80,000 events.
  assert.deepEqual(figures.map((f) => f.values.cpuMsPer1000), [15]);
  assert.ok(figuresOf([row("noop", 40_000, 30, 2)]).every((f) => f.case !== "marginal"));
});

Deno.test("targets.json: unique ids, each with a limit, comparing sides the matrix measures", () => {
  const ids = TARGETS.map((t) => t.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const t of TARGETS) {
    assert.ok(t.atMost !== undefined || t.atLeast !== undefined, t.id);
    assert.ok(t.target.length > 10, t.id);
  }
});
