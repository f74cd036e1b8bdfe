/**
 * How event-tool makes a Prometheus metric (prom-client): the `event_tool_` prefix, the latency
 * buckets, and the four kinds the worker's registry, its pause metrics and the HTTP handler's
 * request metrics are made of.
 */
import client from "prom-client";

/** Metric name prefix. */
export const METRIC_PREFIX = "event_tool_";

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How each kind of metric is made, registered in `registry` under the prefix. */
export function makers(registry: client.Registry) {
  const registers = [registry];
  return {
    /** A counter incremented as things happen. */
    counter: (name: string, help: string, labelNames: string[] = []) =>
      new client.Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers }),
    /** A histogram of seconds. */
    histogram: (name: string, help: string) =>
      new client.Histogram({
        name: `${METRIC_PREFIX}${name}`,
        help,
        buckets: LATENCY_BUCKETS,
        registers,
      }),
    /** A gauge read when scraped. */
    gauge: (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.set(read());
        },
      }),
    /** A counter whose total is read when scraped. */
    counted: (name: string, help: string, read: () => number) =>
      new client.Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      }),
  };
}
/** What {@linkcode makers} returns. */
export type Makers = ReturnType<typeof makers>;
