/**
 * The peer matrix, developer tooling: `deno task bench:matrix [--report] [--json] [--rounds N]
 * [--only stage,…] [--events N]`. Runs on the emulator PUBSUB_EMULATOR_HOST names, or one it
 * starts; prints every row; with `--report` (all stages only) writes docs/BENCHMARKS.md and
 * docs/benchmarks.svg, the targets judged from bench/report/targets.json.
 */
import { parseArgs } from "node:util";
import { resolveConfig } from "../src/config/resolve.ts";
import { TARGET } from "../src/config/settings.ts";
import { createClient } from "../src/pubsub/client.ts";
import { localTarget } from "../src/pubsub/emulator.ts";
import { setupLogging } from "../src/telemetry/log.ts";
import { matrix, type MatrixOutcome, type Stage, STAGES } from "./matrix.ts";
import type { CaseResult } from "./measure/result.ts";
import { chartGroups, renderChart } from "./report/chart.ts";
import { figuresOf } from "./report/figures.ts";
import { report } from "./report/markdown.ts";
import { machine, textTable, withRatios } from "./report/table.ts";
import { judgeAll } from "./report/targets.ts";

const USAGE = "usage: deno task bench:matrix [--report] [--json] [--rounds N] " +
  `[--only ${STAGES.join(",")}] [--events N]`;

/** The command line, checked. */
function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      report: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      rounds: { type: "string", default: "3" },
      only: { type: "string" },
      events: { type: "string", default: "20000" },
    },
  });
  const stages = values.only?.split(",") ?? [...STAGES];
  const unknown = stages.filter((s) => !(STAGES as readonly string[]).includes(s));
  const rounds = Number(values.rounds);
  const events = Number(values.events);
  const problem = unknown.length > 0
    ? `--only: unknown stage ${unknown.join(", ")}`
    : values.report && values.only !== undefined
    ? "--report: every stage must run (no --only)"
    : !(Number.isInteger(rounds) && rounds >= 1)
    ? `--rounds: got ${values.rounds}, expected a whole number from 1`
    : !(Number.isInteger(events) && events >= 500)
    ? `--events: got ${values.events}, expected a whole number from 500`
    : undefined;
  if (problem) throw new Error(`${problem}\n${USAGE}`);
  return { report: values.report, json: values.json, rounds, events, stages: stages as Stage[] };
}

/**
 * The load averages now (Deno.loadavg: reading /proc/loadavg would need --allow-all, and the
 * report of the first run said "unknown" for that reason).
 */
function loadAverages(): string {
  try {
    return Deno.loadavg().map((n) => n.toFixed(2)).join(", ");
  } catch {
    return "unknown";
  }
}

/** The start-ups and import costs in words, for the terminal. */
function startUpLines(outcome: MatrixOutcome): string[] {
  const starts = (runs: { cpuMs: number; peakRssMb: number }[]) =>
    runs.map((r) => `${r.cpuMs.toFixed(0)} ms ${r.peakRssMb.toFixed(0)} MB`).join(", ");
  const s = outcome.startUp;
  return [
    ...(s
      ? [`start-up, worker: ${starts(s.worker.runs)}`, `start-up, floor: ${starts(s.floor.runs)}`]
      : []),
    ...outcome.imports.map((c) =>
      `import ${c.specifier}: ${c.cpuMs.toFixed(0)} ms, ${c.rssMb.toFixed(1)} MB`
    ),
  ];
}

/** Writes docs/BENCHMARKS.md and its chart from the run. */
async function write(rows: CaseResult[], outcome: MatrixOutcome, load: [string, string]) {
  if (!outcome.startUp) throw new Error("the report needs the start-up stage");
  const table = withRatios(rows);
  const verdicts = judgeAll(figuresOf(table, outcome.startUp));
  const title = "events/s per case, median of the rounds (higher is better)";
  await Deno.writeTextFile(
    "docs/benchmarks.svg",
    renderChart(chartGroups(table), outcome.ceiling, title),
  );
  const run = { ...outcome, startUp: outcome.startUp, machine: await machine(), load };
  await Deno.writeTextFile("docs/BENCHMARKS.md", report(table, run, verdicts));
  console.log(
    `wrote docs/BENCHMARKS.md and docs/benchmarks.svg: ` +
      `${verdicts.filter((v) => v.met).length} of ${verdicts.length} targets met`,
  );
}

async function main(args: string[]): Promise<void> {
  const opts = options(args);
  // Warnings only, unless LOG_LEVEL says otherwise: the in-process drains run the worker, whose
  // outcome lines would flood the terminal (the plain client beside it writes none).
  const resolved = resolveConfig([...TARGET, "logLevel", "logFormat"], {
    flags: {},
    env: (name) => name === "LOG_LEVEL" ? Deno.env.get(name) ?? "warning" : Deno.env.get(name),
  });
  await setupLogging(resolved);
  const began = loadAverages();
  const { config, emulator } = await localTarget(resolved);
  const client = createClient(config);
  const rows: CaseResult[] = [];
  let outcome: MatrixOutcome;
  try {
    outcome = await matrix(client, config, { ...opts, maxEvents: opts.events }, (row) => {
      rows.push(row);
      const round = row.round === undefined ? "" : `, round ${row.round}`;
      console.error(
        `${row.name}${round}: ${row.eventsPerSecond.toFixed(0)} events/s, ` +
          `${row.cpuMsPer1000.toFixed(1)} CPU-ms per 1,000, ${row.peakRssMb.toFixed(0)} MB`,
      );
    });
  } finally {
    await client.close();
    await emulator?.stop();
  }
  const table = withRatios(rows);
  console.log(opts.json ? JSON.stringify({ rows: table, ...outcome }, null, 2) : textTable(table));
  if (!opts.json) console.log(startUpLines(outcome).join("\n"));
  if (opts.report) await write(rows, outcome, [began, loadAverages()]);
}

if (import.meta.main) await main(Deno.args);
