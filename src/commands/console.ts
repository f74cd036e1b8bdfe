/**
 * `event-tool console`: the console without a worker, for the emulator or a project where no
 * worker runs here: the Dead letters tab (peek, requeue) and the Subscription tab, on
 * `--metrics-host`:`--metrics-port` (127.0.0.1:9464), with the worker's console's rules (read-only
 * unless `--console-token`), until SIGINT or SIGTERM. The same code as `worker --console`, less
 * what needs a worker (src/ops/console/).
 */
import { UsageError } from "../base/errors.ts";
import { type Config, nameOf } from "../config/settings.ts";
import { startConsole } from "../ops/console/console.ts";
import { Router } from "../ops/router.ts";
import { serveRouter } from "../ops/server.ts";
import { connect } from "../pubsub/connect.ts";
import { logger } from "../telemetry/log.ts";

export const summary = "serve the console without a worker: dead letters (peek, requeue) and " +
  "the subscription";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = ["console", "console --metrics-port 9465"] as const;

const SIGNALS: ("SIGINT" | "SIGTERM")[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];
const log = logger("console");

/** Runs `console`: serves until a signal. */
export async function run(config: Config): Promise<void> {
  if (config.metricsPort === 0) {
    throw new UsageError(
      `${nameOf("metricsPort")}: got 0, expected the port to serve the console on (e.g. 9464)`,
    );
  }
  const client = await connect(config);
  const web = startConsole({ config, client });
  const router = new Router(async ({ request }) => {
    await request.body?.cancel();
    return new Response("not found: try /\n", { status: 404 });
  });
  web.routes(router);
  const server = serveRouter(config.metricsPort, config.metricsHost, router, "the console");
  const stop = Promise.withResolvers<string>();
  const handlers = SIGNALS.map((signal) => {
    const handler = () => stop.resolve(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  try {
    log.info("{signal}: stopping", { signal: await stop.promise });
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    web.stop();
    await server.shutdown();
    await client.close();
  }
}
