/**
 * `event-tool worker`: consumes the subscription until SIGTERM or SIGINT, then drains (see
 * worker.ts for the pipeline and the shutdown order). Serves /metrics, /healthz and /readyz on
 * the metrics port and logs a periodic summary.
 */
import type { Config } from "../config/settings.ts";
import { workerMetrics } from "../ops/metrics.ts";
import { type OpsServer, serveOps } from "../ops/server.ts";
import { startSummary } from "../ops/summary.ts";
import { Worker } from "../worker/worker.ts";

export const summary = "consume the subscription with a bounded pool until SIGTERM/SIGINT";

const SIGNALS: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];

/** Runs `worker`: resolves after a signal-triggered drain; rejects if the subscription fails. */
export async function run(config: Config): Promise<void> {
  const worker = new Worker(config);
  let ops: OpsServer | undefined;
  if (config.metricsPort !== 0) {
    const registry = workerMetrics(worker);
    ops = serveOps(config.metricsPort, {
      registry,
      live: () => worker.live,
      ready: () => worker.ready,
    });
  }
  const stopSummary = startSummary(() => worker.stats, config.summaryInterval);
  const onSignal = () => void worker.stop();
  for (const signal of SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    worker.start();
    await worker.done;
  } finally {
    for (const signal of SIGNALS) Deno.removeSignalListener(signal, onSignal);
    stopSummary();
    await ops?.shutdown();
  }
}
