import assert from "node:assert/strict";
import {
  COMMAND_SETTINGS,
  DEDUPE_MAX,
  EMULATOR_PROJECT,
  SETTINGS,
} from "../../src/config/settings.ts";
import { UsageError } from "../../src/base/errors.ts";
import { toEnv } from "../../src/config/env.ts";
import { defaults, resolveConfig } from "../../src/config/resolve.ts";

const noEnv = () => undefined;
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("defaults() gives the documented names and numbers", () => {
  const config = defaults();
  assert.equal(config.project, undefined, "no project guessed for Google Cloud");
  assert.equal(config.topic, "payment-method-created-topic");
  assert.equal(config.subscription, "payment-method-created-subscription");
  assert.equal(config.deadLetterTopic, "payment-method-created-dead-letter-topic");
  assert.equal(config.deadLetterSubscription, "payment-method-created-dead-letter-subscription");
  assert.equal(config.poolSize, 1000);
  assert.equal(config.maxDeliveryAttempts, 5);
  assert.equal(config.shutdownTimeout, 30_000);
  assert.equal(config.emulatorHost, undefined);
});

Deno.test("resolveConfig() takes a flag over its variable over the default", () => {
  const keys = COMMAND_SETTINGS.worker;
  assert.equal(resolveConfig(keys, { flags: {}, env: noEnv }).poolSize, 1000);
  assert.equal(
    resolveConfig(keys, { flags: {}, env: envOf({ WORKER_POOL_SIZE: "50" }) }).poolSize,
    50,
  );
  assert.equal(
    resolveConfig(keys, { flags: { poolSize: "7" }, env: envOf({ WORKER_POOL_SIZE: "50" }) })
      .poolSize,
    7,
  );
});

Deno.test("resolveConfig() names the flag or variable, the value and the expected form", () => {
  const keys = COMMAND_SETTINGS.worker;
  assert.throws(
    () => resolveConfig(keys, { flags: { poolSize: "0" }, env: noEnv }),
    (e: Error) =>
      e instanceof UsageError &&
      e.message === '--pool-size: got "0", expected an integer from 1 to 100000',
  );
  assert.throws(
    () => resolveConfig(keys, { flags: {}, env: envOf({ WORKER_SHUTDOWN_TIMEOUT: "10 s" }) }),
    /WORKER_SHUTDOWN_TIMEOUT: got "10 s", expected a duration such as 250ms, 30s, 1m30s or a number of seconds/,
  );
  assert.throws(
    () => resolveConfig(keys, { flags: {}, env: envOf({ PUBSUB_EMULATOR_HOST: "nohost" }) }),
    /PUBSUB_EMULATOR_HOST: got "nohost", expected host:port/,
  );
});

Deno.test("resolveConfig() treats an empty variable as unset, for every setting", () => {
  const config = resolveConfig(COMMAND_SETTINGS.worker, {
    flags: {},
    env: envOf({ PUBSUB_EMULATOR_HOST: "", WORKER_POOL_SIZE: "", PUBSUB_SUBSCRIPTION: " " }),
  });
  assert.equal(config.emulatorHost, undefined);
  assert.equal(config.poolSize, defaults().poolSize);
  assert.equal(config.subscription, defaults().subscription);
});

Deno.test("resolveConfig() quotes both sides of a cross-field error with their sources", () => {
  assert.throws(
    () =>
      resolveConfig(COMMAND_SETTINGS.setup, {
        flags: { retryMinBackoff: "1m" },
        env: envOf({ PUBSUB_RETRY_MAX_BACKOFF: "30s" }),
      }),
    /--retry-min-backoff 1m: expected at most PUBSUB_RETRY_MAX_BACKOFF="30s"$/,
  );
  assert.throws(
    () => resolveConfig(COMMAND_SETTINGS.setup, { flags: { retryMinBackoff: "700s" }, env: noEnv }),
    /--retry-min-backoff: got "700s"/,
  );
});

Deno.test("toEnv() gives back variables that resolve to the same config", () => {
  const keys = COMMAND_SETTINGS.worker;
  const config = resolveConfig(keys, {
    flags: { poolSize: "7", handlerTimeout: "1.5s", redact: true, maxPayload: "2KiB" },
    env: envOf({ PUBSUB_EMULATOR_HOST: "localhost:8085" }),
  });
  const env = toEnv(config, keys);
  assert.equal(env.WORKER_HANDLER_TIMEOUT, "1500ms");
  assert.equal(env.WORKER_MAX_OUTSTANDING, "", "unset stays unset");
  assert.deepEqual(resolveConfig(keys, { flags: {}, env: envOf(env) }), config);
});

Deno.test("resolveConfig() ignores the variables of settings the command does not take", () => {
  const config = resolveConfig(COMMAND_SETTINGS.publish, {
    flags: {},
    env: envOf({ WORKER_POOL_SIZE: "abc" }),
  });
  assert.equal(config.poolSize, 1000);
});

Deno.test("resolveConfig() refuses a lease window smaller than the pool", () => {
  assert.throws(
    () =>
      resolveConfig(COMMAND_SETTINGS.worker, {
        flags: { poolSize: "10", maxOutstanding: "5" },
        env: noEnv,
      }),
    /--max-outstanding 5: expected at least the pool size, --pool-size 10$/,
  );
});

Deno.test("SETTINGS gives each setting a distinct flag and variable", () => {
  const all = Object.values(SETTINGS);
  assert.equal(new Set(all.map((s) => s.flag)).size, all.length);
  assert.equal(new Set(all.map((s) => s.env)).size, all.length);
});

Deno.test("resolveConfig() finds the project: flag, PUBSUB_PROJECT_ID, emulator, Google's variables", () => {
  const project = (flags: Record<string, string>, vars: Record<string, string>) =>
    resolveConfig(COMMAND_SETTINGS.setup, { flags, env: envOf(vars) }).project;
  assert.equal(project({}, { PUBSUB_EMULATOR_HOST: "localhost:8085" }), EMULATOR_PROJECT);
  assert.equal(project({}, { GOOGLE_CLOUD_PROJECT: "gcp-proj" }), "gcp-proj");
  assert.equal(project({}, { GCLOUD_PROJECT: "older-proj" }), "older-proj");
  assert.equal(
    project({}, { GOOGLE_CLOUD_PROJECT: "gcp-proj", GCLOUD_PROJECT: "older-proj" }),
    "gcp-proj",
  );
  assert.equal(
    project({}, { PUBSUB_PROJECT_ID: "mine-123", GOOGLE_CLOUD_PROJECT: "gcp-proj" }),
    "mine-123",
  );
  assert.equal(project({ project: "flag-proj" }, { PUBSUB_PROJECT_ID: "mine-123" }), "flag-proj");
  assert.equal(project({}, {}), undefined, "left to the credentials");
  assert.throws(
    () => project({}, { GOOGLE_CLOUD_PROJECT: "Bad_Project" }),
    /GOOGLE_CLOUD_PROJECT: got "Bad_Project", expected 6 to 30 lowercase/,
  );
});

Deno.test("--dedupe-window cannot exceed what fits in a quarter of the worker's heap", () => {
  const window = (value: string) =>
    resolveConfig(COMMAND_SETTINGS.worker, { flags: { dedupeWindow: value }, env: noEnv })
      .dedupeWindow;
  assert.equal(window(String(DEDUPE_MAX)), DEDUPE_MAX);
  assert.throws(
    () => window(String(DEDUPE_MAX + 1)),
    new RegExp(
      `--dedupe-window: got "${DEDUPE_MAX + 1}", expected an integer from 0 to ${DEDUPE_MAX}`,
    ),
  );
});

Deno.test("every setting's key is the camelCase of its flag (commander's key for it)", () => {
  for (const [key, s] of Object.entries(SETTINGS)) {
    const camel = s.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    assert.equal(key, camel, s.flag);
  }
});

Deno.test("resolveConfig(): --count with --file is an error naming both", () => {
  assert.throws(
    () =>
      resolveConfig(COMMAND_SETTINGS.publish, {
        flags: { count: "5", file: "events.ndjson" },
        env: noEnv,
      }),
    /--count 5: expected no --file as well/,
  );
  const fileOnly = resolveConfig(COMMAND_SETTINGS.publish, {
    flags: { file: "events.ndjson" },
    env: noEnv,
  });
  assert.equal(fileOnly.file, "events.ndjson");
});
