/**
 * The worker's operations endpoint: `/metrics` (Prometheus text; `?name[]=` picks metrics),
 * `/healthz` (200 while alive) and `/readyz` (200 only while ready), and whatever routes the
 * caller adds (the console). Anything else is 404.
 */
import type { Registry } from "prom-client";
import { UsageError } from "../base/errors.ts";
import { nameOf } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";
import { Router } from "./router.ts";

/** What the endpoint reports. */
export interface OpsSource {
  registry: Registry;
  live(): boolean;
  ready(): boolean;
  /** Why it is not live, in words (a stuck key), when it can tell. */
  notLive?(): string | undefined;
  /** Why pulling is paused (shown by /readyz); undefined while it is not. */
  paused?(): string | undefined;
}

/** Options for {@linkcode serveOps}. */
export interface OpsOptions {
  /** The address to listen on. Default 127.0.0.1: nothing outside the machine sees it unless
   * told (`--metrics-host`). */
  hostname?: string;
  /** Adds routes beside the three of the endpoint (the console's). */
  routes?: (router: Router) => void;
  /** Where the 404 answer points people. Default: the three paths. */
  hint?: string;
}

/** A running endpoint. */
export interface OpsServer {
  readonly port: number;
  shutdown(): Promise<void>;
}

const log = logger("ops");

function status(ok: boolean, what: string, why?: string): Response {
  return new Response(ok ? `${what}\n` : `not ${what}${why ? `: ${why}` : ""}\n`, {
    status: ok ? 200 : 503,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/** Serves the endpoint on `port`, or on a free port when `port` is 0. */
export function serveOps(port: number, source: OpsSource, options: OpsOptions = {}): OpsServer {
  const hostname = options.hostname ?? "127.0.0.1";
  const hint = options.hint ?? "try /metrics, /healthz or /readyz";
  const router = new Router(async ({ request }) => {
    await request.body?.cancel();
    return new Response(`not found: ${hint}\n`, { status: 404 });
  })
    .get(
      "/metrics",
      async ({ url }) =>
        new Response(await exposition(source.registry, url.searchParams.getAll("name[]")), {
          headers: { "content-type": source.registry.contentType },
        }),
    )
    .get("/healthz", () => {
      const live = source.live();
      return status(live, "alive", live ? undefined : source.notLive?.());
    })
    .get("/readyz", () => status(source.ready(), "ready", source.paused?.()));
  options.routes?.(router);
  return serveRouter(port, hostname, router, "/metrics, /healthz and /readyz");
}

/** Serves `router` on `hostname`:`port` (0: a free port); `what` names it in the log line. */
export function serveRouter(
  port: number,
  hostname: string,
  router: Router,
  what: string,
): OpsServer {
  try {
    return listen(port, hostname, router, what);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    throw new UsageError(
      `${nameOf("metricsPort")}: port ${port} is in use, expected a free port (or 0 to disable)`,
    );
  }
}

/**
 * Every metric, or only those named (`/metrics?name[]=a&name[]=b`, as Prometheus' Python client
 * serves them; unknown names are left out): a poll for a few counters then skips the process
 * metrics' collection, the event-loop delay figures above all (bench/metrics_bench.ts measures
 * both kinds of scrape).
 */
async function exposition(registry: Registry, names: string[]): Promise<string> {
  if (names.length === 0) return await registry.metrics();
  const known = names.filter((name) => registry.getSingleMetric(name) !== undefined);
  const texts = await Promise.all(known.map((name) => registry.getSingleMetricAsString(name)));
  return texts.map((text) => `${text}\n`).join("");
}

function listen(port: number, hostname: string, router: Router, what: string): OpsServer {
  const server = Deno.serve(
    { port, hostname, onListen: () => {} },
    (request, info) => router.handle(request, info.remoteAddr.hostname),
  );
  const actual = server.addr.port;
  log.info("Serving {what} on {hostname} port {port}", { what, hostname, port: actual });
  return { port: actual, shutdown: () => server.shutdown() };
}
