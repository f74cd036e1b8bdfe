/**
 * `event-tool bench`: measures the worker on the emulator (started like `demo` does when
 * PUBSUB_EMULATOR_HOST is unset) against the plain @google-cloud/pubsub subscriber and the
 * emulator's own ceiling, in one run. `--matrix` runs the standard grid and the extra targets;
 * `--report` writes docs/BENCHMARKS.md; `--json` prints JSON. Compare ratios from one run: the
 * machines are shared and noisy. The cases live in src/bench/.
 */
import { checks } from "../../bench/report/checks.ts";
import { drain } from "../../bench/cases/drain.ts";
import { exactlyOnceRows } from "../../bench/cases/exactly_once.ts";
import { renderChart } from "../../bench/report/chart.ts";
import { chartGroups, reportMarkdown } from "../../bench/report/markdown.ts";
import { matrix, type MatrixOutcome } from "../../bench/matrix.ts";
import { publishOnly } from "../../bench/cases/publish.ts";
import { machine, textTable, withRatios } from "../../bench/report/table.ts";
import type { CaseResult } from "../../bench/measure/result.ts";
import { steady } from "../../bench/cases/steady.ts";
import { UsageError } from "../base/errors.ts";
import { type Config, nameOf, SETTINGS } from "../config/settings.ts";
import { localTarget } from "../pubsub/emulator.ts";
import { createClient } from "../pubsub/client.ts";
import { logger } from "../telemetry/log.ts";

export const summary = "benchmark the worker against the plain client on the emulator";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "bench",
  "bench --pool-size 100 --simulate-latency 20ms",
  "bench --matrix --report",
] as const;

const log = logger("bench");

/** Runs `bench`. */
export async function run(config: Config): Promise<void> {
  if (config.report && !config.matrix) {
    throw new UsageError(
      `${nameOf("report")}: got true without ${SETTINGS.matrix.flag}, expected ` +
        `${SETTINGS.matrix.flag} too`,
    );
  }
  const { config: benchConfig, emulator } = await localTarget(config);
  const client = createClient(benchConfig);
  const results: CaseResult[] = [];
  const record = (r: CaseResult) => {
    results.push(r);
    log.info("{name}: {rate} events/s", { name: r.name, rate: Math.round(r.eventsPerSecond) });
  };
  let outcome: MatrixOutcome | undefined;
  try {
    if (config.matrix) outcome = await matrix(client, benchConfig, record);
    else if (config.mode === "exactly-once") {
      for (const row of await exactlyOnceRows(benchConfig)) record(row);
    } else if (config.mode === "publish") {
      record(await publishOnly(client, benchConfig, config.events));
    } else if (config.mode === "steady") {
      const spec = { pool: config.poolSize, latencyMs: config.simulateLatency, events: 0 };
      const withWindow = config.maxOutstanding === undefined
        ? spec
        : { ...spec, window: config.maxOutstanding };
      const rate = config.rate ?? 1000;
      record(await steady(client, benchConfig, "event-tool", withWindow, rate, config.duration));
      record(await steady(client, benchConfig, "plain-client", withWindow, rate, config.duration));
    } else {
      const spec = {
        pool: config.poolSize,
        latencyMs: config.simulateLatency,
        events: config.events,
        ...(config.maxOutstanding === undefined ? {} : { window: config.maxOutstanding }),
      };
      record(await drain(client, benchConfig, "event-tool", spec));
      record(await drain(client, benchConfig, "plain-client", spec));
    }
  } finally {
    await client.close();
    await emulator?.stop();
  }
  const rows = withRatios(results);
  console.log(config.json ? JSON.stringify(rows, null, 2) : textTable(rows));
  if (config.report) {
    if (outcome === undefined) throw new Error("the matrix did not run");
    const list = checks(rows, outcome.goMissing, outcome.startUp);
    await Deno.mkdir("docs", { recursive: true });
    await Deno.writeTextFile(
      "docs/benchmarks.svg",
      renderChart(chartGroups(rows), outcome.ceiling, "events/s per case (higher is better)"),
    );
    await Deno.writeTextFile(
      "docs/BENCHMARKS.md",
      reportMarkdown(rows, outcome, await machine(), list),
    );
    console.log("wrote docs/BENCHMARKS.md and docs/benchmarks.svg");
  }
}
