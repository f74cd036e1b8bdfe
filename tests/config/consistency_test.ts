/**
 * docker-compose.yml and terraform/ must use the names and defaults of src/config/settings.ts: parsed
 * here with a YAML and an HCL parser, compared with the settings table.
 */
import assert from "node:assert/strict";
import { parse as parseHcl } from "@cdktf/hcl2json";
import YAML from "yaml";
import { EMULATOR_PROJECT, SETTINGS } from "../../src/config/settings.ts";
import { defaults } from "../../src/config/resolve.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));
const byEnv = new Map(Object.values(SETTINGS).map((s) => [s.env, s]));

interface ComposeService {
  command?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

async function compose(): Promise<Record<string, ComposeService>> {
  const doc = YAML.parse(await read("docker-compose.yml"), { merge: true });
  return doc.services;
}

Deno.test("docker-compose.yml sets only known variables, to valid values, with default names", async () => {
  const services = await compose();
  const config = defaults();
  for (const name of ["setup", "worker", "publisher"]) {
    const env = services[name]?.environment ?? {};
    assert.ok(Object.keys(env).length > 0, `${name} has an environment`);
    for (const [variable, value] of Object.entries(env)) {
      const setting = byEnv.get(variable);
      assert.ok(setting, `${name}: ${variable} is not a variable event-tool reads`);
      assert.doesNotThrow(() => setting.parse(String(value)), `${name}: ${variable}=${value}`);
    }
    assert.equal(env.PUBSUB_PROJECT_ID, EMULATOR_PROJECT);
    assert.equal(env.PUBSUB_TOPIC, config.topic);
    assert.equal(env.PUBSUB_SUBSCRIPTION, config.subscription);
    assert.equal(env.PUBSUB_DEAD_LETTER_TOPIC, config.deadLetterTopic);
    assert.equal(env.PUBSUB_DEAD_LETTER_SUBSCRIPTION, config.deadLetterSubscription);
    assert.equal(env.PUBSUB_EMULATOR_HOST, "pubsub-emulator:8085");
  }
});

Deno.test("docker-compose.yml wires emulator → setup → worker, publisher under a profile", async () => {
  const services = await compose();
  const emulator = services["pubsub-emulator"];
  assert.ok(emulator?.healthcheck, "the emulator has a healthcheck");
  assert.ok(emulator?.ports?.includes("8085:8085"));
  assert.match(String(emulator?.command), /--host-port=0\.0\.0\.0:8085 --project=local-project/);
  assert.deepEqual(services.setup?.command, ["setup"]);
  assert.equal(services.setup?.depends_on?.["pubsub-emulator"]?.condition, "service_healthy");
  assert.deepEqual(services.worker?.command, ["worker"]);
  assert.equal(services.worker?.depends_on?.setup?.condition, "service_completed_successfully");
  assert.deepEqual(services.publisher?.profiles, ["publisher"]);
  assert.equal(services.publisher?.depends_on?.setup?.condition, "service_completed_successfully");
});

Deno.test("terraform module variable defaults equal the config defaults", async () => {
  const hcl = await parseHcl("variables.tf", await read("terraform/modules/pubsub/variables.tf"));
  const variables = hcl.variable as Record<string, { default?: unknown }[]>;
  const value = (name: string) => variables[name]?.[0]?.default;
  const config = defaults();
  assert.equal(value("topic_name"), config.topic);
  assert.equal(value("subscription_name"), config.subscription);
  assert.equal(value("dead_letter_topic_name"), config.deadLetterTopic);
  assert.equal(value("dead_letter_subscription_name"), config.deadLetterSubscription);
  assert.equal(value("ack_deadline_seconds"), config.ackDeadline / 1000);
  assert.equal(
    SETTINGS.retryMinBackoff.parse(String(value("retry_minimum_backoff"))),
    config.retryMinBackoff,
  );
  assert.equal(
    SETTINGS.retryMaxBackoff.parse(String(value("retry_maximum_backoff"))),
    config.retryMaxBackoff,
  );
  assert.equal(value("max_delivery_attempts"), config.maxDeliveryAttempts);
  assert.equal(value("enable_message_ordering"), config.messageOrdering);
  assert.equal(value("enable_exactly_once_delivery"), config.exactlyOnce);
  assert.equal(
    SETTINGS.replayWindow.parse(String(value("replay_window")).replace(/^(\d+)s$/, "$1s")),
    config.replayWindow,
  );
});

Deno.test("terraform local environment targets the default project on the emulator port", async () => {
  const hcl = await parseHcl("main.tf", await read("terraform/environments/local/main.tf"));
  const variables = hcl.variable as Record<string, { default?: unknown }[]>;
  assert.equal(variables.project_id?.[0]?.default, EMULATOR_PROJECT);
  assert.equal(variables.emulator_endpoint?.[0]?.default, "http://localhost:8085/v1/");
});

Deno.test("docker-compose.yml keeps the worker's metrics port off the host, so it scales", async () => {
  const worker = (await compose()).worker;
  const port = String(defaults().metricsPort);
  assert.equal(worker?.environment?.METRICS_PORT, port);
  assert.deepEqual(worker?.expose, [port]);
  assert.equal(worker?.ports, undefined, "a fixed host port would stop --scale worker=3");
});

Deno.test("docker-compose.yml monitoring profile mounts the dashboard and the alert rules", async () => {
  const services = await compose();
  for (const name of ["prometheus", "grafana"]) {
    assert.deepEqual(services[name]?.profiles, ["monitoring"], name);
  }
  const mounts = [...(services.prometheus?.volumes ?? []), ...(services.grafana?.volumes ?? [])];
  for (const file of ["alerts.yml", "prometheus.yml", "event-tool.json"]) {
    const mount = mounts.find((m) => m.includes(file));
    assert.ok(mount, `${file} is mounted`);
    await Deno.stat(new URL(mount.split(":")[0] ?? "", root)); // the file exists
  }
});
