/**
 * The console's side that needs a worker: the shared snapshot's ticks turned into the Live page's
 * history and pushes (live.ts, latency.ts, in_flight.ts), the recent outcomes (recent.ts), and
 * the Control action: pausing and resuming the worker's pulling for the operator (pause.ts: no new
 * message is taken, what was received runs and is settled; /readyz and `event_tool_paused` say
 * so). Routes:
 *
 * - `GET /console/api/outcomes?outcome=&reason=&find=&limit=`: recent outcomes, newest first
 * - `POST /console/api/pause`, `POST /console/api/resume`: the operator's pause (token)
 */
import type { Config } from "../../config/settings.ts";
import { safeUrl } from "../../telemetry/redact.ts";
import {
  DEAD_LETTER_REASONS,
  NACK_REASONS,
  type OutcomeRecord,
  OUTCOMES,
} from "../../worker/outcome.ts";
import type { Router } from "../router.ts";
import type { Snapshots } from "../snapshot.ts";
import { type ConsoleGuard, json } from "./auth.ts";
import type { InFlightCalls } from "./in_flight.ts";
import { LatencyHistogram } from "./latency.ts";
import { COLUMNS, HISTORY_SECONDS, LiveSeries, type LiveTick } from "./live.ts";
import { RECENT_CAPACITY, RecentOutcomes } from "./recent.ts";

/** What the console watches of a worker, and the pause it may set. */
export interface WatchedWorker {
  /** The worker's outcomes (its `onOutcome`). */
  onOutcome(listener: (record: OutcomeRecord) => void): void;
  /** The shared snapshots (the console listens to their ticks). */
  snapshots: Snapshots;
  /** The handler calls running now (its middleware wraps the worker's handler). */
  calls: InFlightCalls;
  /** Pauses pulling for the operator (`Worker.pause("operator", detail)`). */
  pause(detail: string): void;
  /** Lifts the operator's pause (`Worker.resume("operator")`). */
  resume(): void;
}

/** The worker's part of the console. */
export interface Watch {
  /** What the page is told of the worker once. */
  facts: Record<string, unknown>;
  /** The history and the latest tick (for a page that opens the stream). */
  history(): { history: (number | null)[][]; tick: LiveTick | null };
  routes(router: Router, guard: ConsoleGuard): void;
  stop(): void;
}

function handlerOf(config: Config): string {
  if (config.handlerUrl) return `HTTP ${safeUrl(config.handlerUrl)}`;
  if (config.handler) return `module ${config.handler}`;
  return "built-in log handler";
}

/** Starts watching `worker`; each tick goes to `broadcast`. */
export function watchWorker(
  worker: WatchedWorker,
  config: Config,
  broadcast: (event: "tick", tick: LiveTick) => void,
): Watch {
  const latency = new LatencyHistogram();
  const series = new LiveSeries();
  const recent = new RecentOutcomes({
    redact: config.redact,
    ...(config.redactKey === undefined ? {} : { redactKey: config.redactKey }),
  });
  let last: LiveTick | undefined;
  worker.onOutcome((record) => {
    if (record.handlerMs !== undefined) latency.observe(record.handlerMs);
    recent.record(record);
  });
  const stopTicks = worker.snapshots.onTick((snapshot) => {
    last = series.add(snapshot, latency.tick(), worker.calls.summary(), recent.total);
    broadcast("tick", last);
  });
  const facts = {
    handler: handlerOf(config),
    keyFrom: config.keyFrom ? `${config.keyFrom.from}:${config.keyFrom.name}` : null,
    rateLimit: config.rateLimit ?? null,
    columns: COLUMNS,
    historySeconds: HISTORY_SECONDS,
    tickMs: worker.snapshots.tickMs,
    outcomes: OUTCOMES.filter((o) => o !== "acked" && o !== "duplicate"),
    reasons: [...new Set([...NACK_REASONS, ...DEAD_LETTER_REASONS])],
    recentCapacity: RECENT_CAPACITY,
  };

  const routes = (router: Router, guard: ConsoleGuard) => {
    router
      .get(
        "/console/api/outcomes",
        guard.read(({ url }) => {
          const q = url.searchParams;
          const limit = Number(q.get("limit") ?? 200);
          return json({
            total: recent.total,
            ...recent.query({
              outcome: q.get("outcome") ?? undefined,
              reason: q.get("reason") ?? undefined,
              find: q.get("find") ?? undefined,
              limit: Number.isSafeInteger(limit) && limit > 0
                ? Math.min(limit, RECENT_CAPACITY)
                : 200,
            }),
          });
        }),
      )
      .post(
        "/console/api/pause",
        guard.action("pausing pulling", ({ remote }, audit) => {
          worker.pause(`paused from the console (${remote})`);
          audit("paused pulling: no new message is taken, what was received finishes");
          return json({ paused: true });
        }),
      )
      .post(
        "/console/api/resume",
        guard.action("resuming pulling", (_request, audit) => {
          worker.resume();
          audit("resumed pulling");
          return json({ paused: false });
        }),
      );
  };
  return {
    facts,
    history: () => ({ history: series.history(), tick: last ?? null }),
    routes,
    stop: stopTicks,
  };
}
