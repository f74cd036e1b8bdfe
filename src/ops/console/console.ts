/**
 * `worker --console`: the console on the operations endpoint. Its parts, one file each: the
 * guard (auth.ts), the shared snapshot's ticks turned into the Live page's history and pushes
 * (live.ts, latency.ts, in_flight.ts, stream.ts), the recent outcomes (recent.ts), the
 * Subscription tab (subscription.ts) and the page's files (assets.ts). Routes:
 *
 * - `GET /` → the page at `/console/`; its files under `/console/assets/`
 * - `GET /console/api/live`: server-sent events, `init` (facts and five minutes of history),
 *   then a `tick` each second
 * - `GET /console/api/outcomes?outcome=&reason=&find=&limit=`: recent outcomes, newest first
 * - `GET /console/api/subscription`: settings, drift and snapshots
 * - `POST /console/api/session`: checks a token (the page's unlock), an action like the others
 * - `POST /console/api/snapshots` `{"name": "…"}`: creates a snapshot (token)
 */
import type { PubSub } from "@google-cloud/pubsub";
import denoJson from "../../../deno.json" with { type: "json" };
import { type Config, SETTINGS } from "../../config/settings.ts";
import { logger } from "../../telemetry/log.ts";
import { safeUrl } from "../../telemetry/redact.ts";
import {
  DEAD_LETTER_REASONS,
  NACK_REASONS,
  type OutcomeRecord,
  OUTCOMES,
} from "../../worker/outcome.ts";
import type { Router } from "../router.ts";
import type { Snapshots } from "../snapshot.ts";
import { serveAsset } from "./assets.ts";
import { ConsoleGuard, json } from "./auth.ts";
import type { InFlightCalls } from "./in_flight.ts";
import { LatencyHistogram } from "./latency.ts";
import { COLUMNS, HISTORY_SECONDS, LiveSeries, type LiveTick } from "./live.ts";
import { RECENT_CAPACITY, RecentOutcomes } from "./recent.ts";
import { encodeEvent, EventHub } from "./stream.ts";
import { SnapshotError, SubscriptionTab } from "./subscription.ts";

/** What the console watches and acts on. */
export interface ConsoleOptions {
  config: Config;
  client: PubSub;
  /** The worker's outcomes (its `onOutcome`). */
  onOutcome(listener: (record: OutcomeRecord) => void): void;
  /** The shared snapshots (the console listens to their ticks). */
  snapshots: Snapshots;
  /** The handler calls running now (its middleware wraps the worker's handler). */
  calls: InFlightCalls;
}

/** A console ready to be routed. */
export interface Console {
  /** Adds the console's routes to the endpoint's router. */
  routes(router: Router): void;
  /** Stops listening to ticks and ends every page's stream. */
  stop(): void;
}

const log = logger("console");
/** Request bodies of the console's actions are small JSON objects. */
const MAX_BODY = 16 * 1024;

function handlerOf(config: Config): string {
  if (config.handlerUrl) return `HTTP ${safeUrl(config.handlerUrl)}`;
  if (config.handler) return `module ${config.handler}`;
  return "built-in log handler";
}

/** Reads a small JSON object body; undefined when it is not one. */
async function jsonBody(request: Request): Promise<Record<string, unknown> | undefined> {
  const text = await request.text();
  if (text.length > MAX_BODY) return undefined;
  try {
    const body = JSON.parse(text);
    return typeof body === "object" && body !== null ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Starts collecting the console's figures from `options`; route it with `routes`. */
export function startConsole(options: ConsoleOptions): Console {
  const { config, snapshots, calls } = options;
  const guard = new ConsoleGuard(config.metricsHost, config.consoleToken);
  const latency = new LatencyHistogram();
  const series = new LiveSeries();
  const recent = new RecentOutcomes({
    redact: config.redact,
    ...(config.redactKey === undefined ? {} : { redactKey: config.redactKey }),
  });
  const hub = new EventHub();
  const tab = new SubscriptionTab(options.client, config);
  let last: LiveTick | undefined;
  options.onOutcome((record) => {
    if (record.handlerMs !== undefined) latency.observe(record.handlerMs);
    recent.record(record);
  });
  const stopTicks = snapshots.onTick((snapshot) => {
    last = series.add(snapshot, latency.tick(), calls.summary(), recent.total);
    hub.broadcast("tick", last);
  });
  const facts = {
    version: denoJson.version,
    subscription: config.subscription,
    topic: config.topic,
    handler: handlerOf(config),
    keyFrom: config.keyFrom ? `${config.keyFrom.from}:${config.keyFrom.name}` : null,
    rateLimit: config.rateLimit ?? null,
    actions: guard.actions,
    columns: COLUMNS,
    historySeconds: HISTORY_SECONDS,
    tickMs: snapshots.tickMs,
    outcomes: OUTCOMES.filter((o) => o !== "acked" && o !== "duplicate"),
    reasons: [...new Set([...NACK_REASONS, ...DEAD_LETTER_REASONS])],
    recentCapacity: RECENT_CAPACITY,
  };
  log.info(
    "Console on http://{host}:{port}/ ({actions})",
    {
      host: config.metricsHost,
      port: config.metricsPort,
      actions: guard.actions === "off"
        ? `read-only: ${SETTINGS.consoleToken.env} is not set`
        : "actions need the console token",
    },
  );

  const routes = (router: Router) => {
    const page = () => serveAsset("index.html", null) as Response;
    const redirect = () => new Response(null, { status: 302, headers: { location: "/console/" } });
    router
      .get("/", guard.page(redirect))
      .get("/console", guard.page(redirect))
      .get("/console/", guard.page(page))
      .get(
        "/console/assets/*",
        guard.page(({ url, request }) =>
          serveAsset(
            url.pathname.slice("/console/assets/".length),
            request.headers.get("if-none-match"),
          ) ??
            new Response("no such asset\n", { status: 404 })
        ),
      )
      .get(
        "/console/api/live",
        guard.read(() =>
          hub.open(encodeEvent("init", { facts, history: series.history(), tick: last ?? null }))
        ),
      )
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
      .get(
        "/console/api/subscription",
        guard.read(async () => {
          try {
            return json(await tab.view());
          } catch (error) {
            log.warning("Console: reading the subscription failed: {error}", { error });
            return json({ error: `Pub/Sub did not answer: ${(error as Error).message}` }, 502);
          }
        }),
      )
      .post(
        "/console/api/session",
        guard.action("unlocking actions", (_request, audit) => {
          audit("actions unlocked in a page");
          return json({ actions: "unlocked" });
        }),
      )
      .post(
        "/console/api/snapshots",
        guard.action("creating a snapshot", async ({ request }, audit) => {
          const body = await jsonBody(request);
          try {
            const name = await tab.createSnapshot(body?.name);
            audit("created snapshot {snapshot} of {subscription}", {
              snapshot: name,
              subscription: config.subscription,
            });
            return json({ created: name }, 201);
          } catch (error) {
            if (!(error instanceof SnapshotError)) throw error;
            return json({ error: error.message }, error.status);
          }
        }),
      );
  };
  return {
    routes,
    stop() {
      stopTicks();
      hub.close();
    },
  };
}
