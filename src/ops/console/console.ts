/**
 * The console on the operations endpoint: `worker --console`, or `event-tool console` without a
 * worker (dead letters and the subscription only). Its parts, one file each: the guard
 * (auth.ts), what needs a worker (watch.ts: the Live page, recent outcomes, pause and resume),
 * the Dead letters tab (dead_letters.ts), the Subscription tab (subscription.ts), the pushes to
 * open pages (stream.ts) and the page's files (assets.ts). Routes:
 *
 * - `GET /` → the page at `/console/`; its files under `/console/assets/`
 * - `GET /console/api/live`: server-sent events, `init` (facts and, with a worker, five minutes
 *   of history), then a `tick` each second, and `requeue` while dead letters are requeued
 * - `GET /console/api/outcomes?outcome=&reason=&find=&limit=`: recent outcomes (watch.ts)
 * - `GET /console/api/subscription`: settings, drift and snapshots
 * - `GET /console/api/dead-letters?reason=&limit=`: dead letters by reason, and the first ones
 * - `POST /console/api/session`: checks a token (the page's unlock), an action like the others
 * - `POST /console/api/snapshots` `{"name": "…"}`: creates a snapshot (token)
 * - `POST /console/api/dead-letters/requeue` `{"messageIds"|"reason"|"all", "expect"}` (token)
 * - `POST /console/api/pause`, `POST /console/api/resume`: the operator's pause (token, watch.ts)
 */
import type { PubSub } from "@google-cloud/pubsub";
import denoJson from "../../../deno.json" with { type: "json" };
import { type Config, SETTINGS } from "../../config/settings.ts";
import { logger } from "../../telemetry/log.ts";
import type { Router } from "../router.ts";
import { serveAsset } from "./assets.ts";
import { ConsoleGuard, json, jsonBody } from "./auth.ts";
import { DeadLetterTab } from "./dead_letters.ts";
import { encodeEvent, EventHub } from "./stream.ts";
import { SnapshotError, SubscriptionTab } from "./subscription.ts";
import { type WatchedWorker, watchWorker } from "./watch.ts";

export type { WatchedWorker };

/** What the console shows and acts on. */
export interface ConsoleOptions {
  config: Config;
  client: PubSub;
  /** The worker it watches; without one it has dead letters and the subscription only. */
  worker?: WatchedWorker;
}

/** A console ready to be routed. */
export interface Console {
  /** Adds the console's routes to the endpoint's router. */
  routes(router: Router): void;
  /** Stops listening to ticks and ends every page's stream. */
  stop(): void;
}

const log = logger("console");

/** Starts collecting the console's figures from `options`; route it with `routes`. */
export function startConsole(options: ConsoleOptions): Console {
  const { config } = options;
  const guard = new ConsoleGuard(config.metricsHost, config.consoleToken);
  const hub = new EventHub();
  const tab = new SubscriptionTab(options.client, config);
  const letters = new DeadLetterTab(options.client, config, (event, data) => {
    hub.broadcast(event, data);
  });
  const watch = options.worker &&
    watchWorker(options.worker, config, (event, tick) => hub.broadcast(event, tick));
  const facts = {
    version: denoJson.version,
    subscription: config.subscription,
    topic: config.topic,
    deadLetterSubscription: config.deadLetterSubscription,
    actions: guard.actions,
    worker: watch !== undefined,
    ...watch?.facts,
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
          hub.open(
            encodeEvent("init", { facts, ...(watch?.history() ?? { history: [], tick: null }) }),
          )
        ),
      )
      .get("/console/api/dead-letters", guard.read(({ url }) => letters.view(url)))
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
      )
      .post(
        "/console/api/dead-letters/requeue",
        guard.action("requeuing dead letters", letters.requeue),
      );
    watch?.routes(router, guard);
  };
  return {
    routes,
    stop() {
      watch?.stop();
      hub.close();
    },
  };
}
