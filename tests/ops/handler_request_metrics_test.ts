import assert from "node:assert/strict";
import client from "prom-client";

import { handlerRequestMetrics, STATUS_CLASSES } from "../../src/ops/handler_request_metrics.ts";
import { sample } from "../../bench/measure/scrape.ts";

Deno.test("handlerRequestMetrics() serves every status class at 0 before the first request", async () => {
  const registry = new client.Registry();
  handlerRequestMetrics(registry);
  const text = await registry.metrics();
  for (const statusClass of STATUS_CLASSES) {
    const series = `event_tool_handler_requests_total{class="${statusClass}"}`;
    assert.equal(sample(text, series), 0, series);
  }
  assert.equal(sample(text, "event_tool_handler_request_duration_seconds_count"), 0);
});

Deno.test("handlerRequestMetrics() counts each answer by class and observes its duration in seconds", async () => {
  const registry = new client.Registry();
  const observe = handlerRequestMetrics(registry);
  observe("2xx", 20);
  observe("2xx", 30);
  observe("5xx", 2_000);
  const text = await registry.metrics();
  assert.equal(sample(text, 'event_tool_handler_requests_total{class="2xx"}'), 2);
  assert.equal(sample(text, 'event_tool_handler_requests_total{class="5xx"}'), 1);
  assert.equal(sample(text, 'event_tool_handler_requests_total{class="error"}'), 0);
  assert.equal(sample(text, "event_tool_handler_request_duration_seconds_count"), 3);
  assert.equal(sample(text, "event_tool_handler_request_duration_seconds_sum"), 2.05);
  assert.equal(sample(text, 'event_tool_handler_request_duration_seconds_bucket{le="0.025"}'), 1);
});
