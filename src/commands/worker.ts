/**
 * `event-tool worker`: consumes the subscription until SIGTERM or SIGINT, then drains (see
 * worker.ts for the pipeline and the shutdown order). Serves /metrics, /healthz and /readyz on
 * the metrics port, with `--console` the console beside them, and logs a periodic summary; all
 * of them read one snapshot of the worker per second.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { InterruptedError, UsageError } from "../base/errors.ts";
import { type Config, nameOf } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";
import type { Console } from "../ops/console/console.ts";
import { InFlightCalls } from "../ops/console/in_flight.ts";
import { handlerRequestMetrics } from "../ops/handler_request_metrics.ts";
import { workerMetrics } from "../ops/metrics.ts";
import { type OpsServer, serveOps } from "../ops/server.ts";
import { Snapshots } from "../ops/snapshot.ts";
import { startSummary } from "../ops/summary.ts";
import { resolveContract } from "../event/contract.ts";
import { connect } from "../pubsub/connect.ts";
import { SubscriptionUnusableError } from "../pubsub/subscriber/report.ts";
import { compose } from "../worker/handler.ts";
import { resolveHandler } from "../worker/handlers/resolve.ts";
import { workerOptions } from "../worker/cli_options.ts";
import { Worker } from "../worker/worker.ts";
import { describePauses } from "../worker/pause.ts";

export const summary = "consume the subscription with a bounded pool until SIGTERM/SIGINT";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "worker",
  "worker --pool-size 100 --handler-url http://127.0.0.1:8080/events",
  "worker --handler ./my_handler.ts --handler-timeout 10",
  "worker --simulate-latency 20ms --simulate-failure-rate 0.1",
  "worker --console",
] as const;

const SIGNALS: ("SIGINT" | "SIGTERM")[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];
/** The same signal this soon after the first is a repeat of it (a forward), not a second one. */
export const SAME_STOP_MS = 1000;
/** After a forced stop, how long the nacks get to leave before the process exits. */
const FORCE_FLUSH_MS = 200;
const log = logger("worker");

/** Runs `worker`: resolves after a signal-triggered drain; rejects if the subscription fails. */
export async function run(config: Config): Promise<void> {
  checkConsoleSettings(config);
  let observe: ((statusClass: string, ms: number) => void) | undefined = undefined;
  const base = await resolveHandler(config, (statusClass, ms) => observe?.(statusClass, ms));
  // The console books running handler calls: innermost, so their age is the handler's own.
  const calls = config.console ? new InFlightCalls() : undefined;
  const handler = calls ? compose(base, calls.middleware) : base;
  const contract = await resolveContract(config);
  const client = await connect(config, { failFast: false });
  const worker = new Worker(workerOptions(config, { client, handler, contract }));
  const snapshots = new Snapshots(worker);
  const served = config.metricsPort === 0
    ? undefined
    : await serve(config, { worker, client, snapshots, calls });
  observe = served?.observe;
  const stopSummary = startSummary(snapshots, config.summaryInterval);
  snapshots.start();
  const signals = stopOnSignals(worker);
  try {
    worker.start();
    await Promise.race([worker.done.catch(withNextStep), signals.forced]);
    if (signals.forcedBy !== undefined) throw new InterruptedError(signals.forcedBy);
  } finally {
    signals.remove();
    stopSummary();
    snapshots.stop();
    served?.web?.stop();
    await served?.ops.shutdown();
    await client.close();
  }
}

/** The console needs the metrics port, and its token is unused without it. */
function checkConsoleSettings(config: Config): void {
  if (config.console && config.metricsPort === 0) {
    throw new UsageError(
      `${nameOf("console")}: the console is served on the metrics port, expected ` +
        `${nameOf("metricsPort")} other than 0`,
    );
  }
  if (!config.console && config.consoleToken !== undefined) {
    log.warning("{token} is set but the console is off ({console}): the token is not used", {
      token: nameOf("consoleToken"),
      console: nameOf("console"),
    });
  }
}

/** What the metrics port serves the worker with. */
interface Served {
  /** Where the HTTP handler reports each answer (its request metrics). */
  observe: (statusClass: string, ms: number) => void;
  ops: OpsServer;
  web: Console | undefined;
}

/** Serves /metrics, /healthz and /readyz on the metrics port, and the console when `calls`. */
async function serve(
  config: Config,
  { worker, client, snapshots, calls }: {
    worker: Worker;
    client: PubSub;
    snapshots: Snapshots;
    calls: InFlightCalls | undefined;
  },
): Promise<Served> {
  const registry = workerMetrics(worker, snapshots);
  const observe = handlerRequestMetrics(registry);
  // Loaded only with --console: its page, assets and subscription checks are not the worker's.
  const web = calls && (await import("../ops/console/console.ts")).startConsole({
    config,
    client,
    worker: {
      snapshots,
      calls,
      onOutcome: (listener) => worker.onOutcome(listener),
      pause: (detail) => worker.pause("operator", detail),
      resume: () => worker.resume("operator"),
    },
  });
  const ops = serveOps(config.metricsPort, {
    registry,
    live: () => worker.live,
    ready: () => worker.ready,
    notLive: () => worker.stats.keys.stuck,
    paused: () => describePauses(worker.stats.paused),
  }, {
    hostname: config.metricsHost,
    ...(web
      ? { routes: web.routes, hint: "try / (the console), /metrics, /healthz or /readyz" }
      : {}),
  });
  return { observe, ops, web };
}

/**
 * The first signal drains; a later one nacks what is held and exits at once (130/143). The same
 * signal again within a second is the same stop: a terminal's Ctrl-C reaches the whole process
 * group, and `deno task` (or `timeout`) forwards the one its child already got.
 */
function stopOnSignals(worker: Worker) {
  const forced = Promise.withResolvers<never>();
  const state = {
    /** Rejects once a second signal forced the stop and the nacks had their flush. */
    forced: forced.promise,
    /** The signal that forced the stop, if one did. */
    forcedBy: undefined as "SIGINT" | "SIGTERM" | undefined,
    /** Stops listening. */
    remove: () => {
      clearTimeout(forceTimer);
      for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    },
  };
  let first: { signal: string; at: number } | undefined;
  let forceTimer: ReturnType<typeof setTimeout> | undefined;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (first === undefined) {
        first = { signal, at: performance.now() };
        log.info("{signal}: stopping; send it again to stop at once", { signal });
        void worker.stop();
        return;
      }
      if (first.signal === signal && performance.now() - first.at < SAME_STOP_MS) {
        log.debug("{signal} again within {ms}ms: the same stop (forwarded by a parent)", {
          signal,
          ms: SAME_STOP_MS,
        });
        return;
      }
      state.forcedBy = signal;
      void worker.abort();
      // Give the nacks one flush (10 ms batches) before leaving.
      forceTimer = setTimeout(() => forced.reject(new InterruptedError(signal)), FORCE_FLUSH_MS);
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return state;
}

/** A subscription the worker cannot consume, with what to try next. */
function withNextStep(error: unknown): never {
  if (!(error instanceof SubscriptionUnusableError)) throw error;
  throw new Error(
    `${error.message}: does it exist? run \`event-tool setup\`; is the worker allowed to ` +
      "consume it?",
  );
}
