/** The dashboard and the alert rules use only metrics the worker serves. */
import assert from "node:assert/strict";
import YAML from "yaml";
import { handlerRequestMetrics } from "../../src/ops/handler_request_metrics.ts";
import { workerMetrics } from "../../src/ops/metrics.ts";
import { Worker } from "../../src/worker/worker.ts";

const root = new URL("../../", import.meta.url);

/** Every metric name the worker's registry serves (histograms with their series suffixes). */
async function served(): Promise<Set<string>> {
  // Never started: the worker makes no connection, its registry is what /metrics would serve.
  const worker = new Worker({ project: "test-project", emulatorHost: "127.0.0.1:1" });
  const registry = workerMetrics(worker);
  handlerRequestMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram") {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(metric.name + suffix);
    }
  }
  return names;
}

const metricNames = (text: string) => new Set(text.match(/\bevent_tool_[a-z_]+\b/g) ?? []);

Deno.test("deploy/prometheus/alerts.yml: valid rules on served metrics", async () => {
  const text = await Deno.readTextFile(new URL("deploy/prometheus/alerts.yml", root));
  const doc = YAML.parse(text);
  const rules = doc.groups.flatMap((g: { rules: unknown[] }) => g.rules);
  assert.ok(rules.length >= 5);
  for (const rule of rules) {
    assert.match(rule.alert, /^EventTool[A-Za-z]+$/);
    assert.ok(rule.expr && rule.annotations?.summary && rule.annotations?.runbook, rule.alert);
  }
  const names = await served();
  const used = metricNames(text);
  assert.ok(used.size >= 6);
  for (const name of used) assert.ok(names.has(name), `${name} is not served by the worker`);
});

Deno.test("deploy/grafana/event-tool.json: panels on served metrics", async () => {
  const text = await Deno.readTextFile(new URL("deploy/grafana/event-tool.json", root));
  const dashboard = JSON.parse(text);
  assert.equal(dashboard.uid, "event-tool");
  const titles = dashboard.panels.map((p: { title: string }) => p.title).join(" | ");
  for (
    const wanted of [
      /outcome/,
      /In flight vs pool/,
      /Handler time/,
      /Publish → ack/,
      /Dead letters/,
      /Ready/,
    ]
  ) {
    assert.match(titles, wanted);
  }
  const names = await served();
  for (const name of metricNames(text)) assert.ok(names.has(name), `${name} is not served`);
});

Deno.test("the runbook has a section for every alert's runbook link", async () => {
  const alerts = await Deno.readTextFile(new URL("deploy/prometheus/alerts.yml", root));
  const operations = await Deno.readTextFile(new URL("docs/operations.md", root));
  const anchors = new Set(
    [...operations.matchAll(/^### (.+)$/gm)].map((m) =>
      (m[1] ?? "").toLowerCase().replace(/[^a-z0-9 -]/g, "").replaceAll(" ", "-")
    ),
  );
  for (const [, anchor] of alerts.matchAll(/docs\/operations\.md#([a-z-]+)/g)) {
    assert.ok(anchors.has(anchor ?? ""), `docs/operations.md has no section #${anchor}`);
  }
});
