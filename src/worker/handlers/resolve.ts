/**
 * Which handler the worker runs, from the configuration: an HTTP service (`--handler-url`), a
 * module (`--handler`), or the built-in logging handler with the load-testing simulation.
 */
import { GRANT_VARIABLE } from "../../config/permissions.ts";
import type { Config } from "../../config/settings.ts";
import { logger } from "../../telemetry/log.ts";
import { safeUrl } from "../../telemetry/redact.ts";
import { compose, type Handler } from "../handler.ts";
import { httpHandler } from "./http.ts";
import { logEvent } from "./log_event.ts";
import { moduleHandler } from "./module.ts";
import { withSimulation } from "../middleware/simulate.ts";

const log = logger("worker");

/** `ce-source` of the events on `config`'s topic. */
export function eventSource(config: Pick<Config, "project" | "topic">): string {
  return `//pubsub.googleapis.com/projects/${config.project ?? "_"}/topics/${config.topic}`;
}

/** The built-in handler: log each event, with the `--simulate-*` load-testing settings. */
export function defaultHandler(
  config: Pick<Config, "simulateLatency" | "simulateFailureRate">,
): Handler {
  return compose(logEvent, withSimulation(config.simulateLatency, config.simulateFailureRate));
}

/**
 * The handler `config` names (the timeout is the worker's to add). `observe` is told each HTTP
 * answer's status class and duration (for metrics).
 */
export async function resolveHandler(
  config: Config,
  observe?: (statusClass: string, ms: number) => void,
): Promise<Handler> {
  if (config.handlerUrl !== undefined) {
    log.info("Delivering events to {url} as CloudEvents (headers: {headers})", {
      url: safeUrl(config.handlerUrl),
      headers: config.handlerHeader.map(([name]) => name).join(", ") || "none",
    });
    return httpHandler({
      url: config.handlerUrl,
      source: eventSource(config),
      headers: config.handlerHeader,
      retryOn: config.retryOn,
      ...(observe ? { observe } : {}),
    });
  }
  if (config.handler !== undefined) {
    const handler = await moduleHandler(config.handler);
    const granted = Deno.env.get(GRANT_VARIABLE)?.trim();
    log.info(
      "Handling events with the module {path}; it has the worker's permissions{extra} " +
        '(docs/handlers.md, "What a module handler may do")',
      { path: config.handler, extra: granted ? ` and ${GRANT_VARIABLE}: ${granted}` : " only" },
    );
    return handler;
  }
  return defaultHandler(config);
}
