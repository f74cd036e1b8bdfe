/** Metrics of the HTTP handler (`--handler-url`): its requests by status class and their duration. */
import type client from "prom-client";
import { makers } from "./metric_makers.ts";

/** Status classes of the HTTP handler's answers (`error`: no answer). */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "error"] as const;

/**
 * Metrics of the HTTP handler (`--handler-url`) in `registry`: requests by status class (every
 * class at 0 from the start) and their duration. Returns the function the handler reports each
 * answer to.
 */
export function handlerRequestMetrics(
  registry: client.Registry,
): (statusClass: string, ms: number) => void {
  const make = makers(registry);
  const requests = make.counter(
    "handler_requests_total",
    "requests to the HTTP handler service, by status class (error: no answer)",
    ["class"],
  );
  const duration = make.histogram(
    "handler_request_duration_seconds",
    "time the HTTP handler service took to answer",
  );
  for (const statusClass of STATUS_CLASSES) requests.inc({ class: statusClass }, 0);
  return (statusClass, ms) => {
    requests.inc({ class: statusClass });
    duration.observe(ms / 1000);
  };
}
