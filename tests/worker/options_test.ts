import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { workerOptions } from "../../src/worker/cli_options.ts";
import { WORKER_SETTINGS, workerSettings } from "../../src/worker/options.ts";

const OPTIONS = new URL("../../src/worker/options.ts", import.meta.url);

interface DocProperty {
  name: string;
  jsDoc?: { doc?: string; tags?: { kind: string; value?: string }[] };
}

/** WorkerOptions' properties as `deno doc` reads them. */
async function documented(): Promise<Map<string, DocProperty>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", OPTIONS.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout));
  const symbol = doc.nodes[OPTIONS.href].symbols.find((s: { name: string }) =>
    s.name === "WorkerOptions"
  );
  const properties: DocProperty[] = symbol.declarations[0].def.properties;
  return new Map(properties.map((p) => [p.name, p]));
}

/** Environment variables set for `fn` only. */
function withEnv(env: Record<string, string | undefined>, fn: () => void): void {
  const before = Object.fromEntries(Object.keys(env).map((name) => [name, Deno.env.get(name)]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  };
  set(env);
  try {
    fn();
  } finally {
    set(before);
  }
}

Deno.test("WorkerOptions documents each setting's default as the settings table has it", async () => {
  const properties = await documented();
  const table = defaults();
  const wrong: string[] = [];
  for (const key of WORKER_SETTINGS) {
    const property = properties.get(key);
    if (property === undefined) {
      wrong.push(`${key}: not documented`);
      continue;
    }
    const tag = property.jsDoc?.tags?.find((t) => t.kind === "default");
    const value = table[key];
    if (value === undefined) {
      // Derived: said in words, which SETTINGS' note also gives.
      if (tag !== undefined || !/Default: /.test(property.jsDoc?.doc ?? "")) {
        wrong.push(`${key}: no value of its own (${SETTINGS[key].defaultNote}), say "Default: …"`);
      }
    } else if (tag?.value !== JSON.stringify(value)) {
      wrong.push(`${key}: @default {${tag?.value}}, the table has ${JSON.stringify(value)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("workerSettings() fills in the table's defaults and takes the target from the environment", () => {
  withEnv({ PUBSUB_EMULATOR_HOST: "127.0.0.1:8681", PUBSUB_PROJECT_ID: undefined }, () => {
    const settings = workerSettings({ poolSize: 7, handlerTimeout: 0 });
    assert.equal(settings.poolSize, 7);
    assert.equal(settings.handlerTimeout, 0, "0 (off) is a value, not a missing one");
    assert.equal(settings.subscription, defaults().subscription);
    assert.equal(settings.shutdownTimeout, defaults().shutdownTimeout);
    assert.equal(settings.emulatorHost, "127.0.0.1:8681");
    assert.equal(settings.project, "local-project", "the emulator's project, as for the CLI");
    assert.equal(workerSettings({ emulatorHost: "other:1" }).emulatorHost, "other:1");
  });
});

Deno.test("workerOptions() gives the worker every setting it reads from the CLI's config", () => {
  const config = {
    ...defaults(),
    poolSize: 3,
    maxLease: 1234,
    handlerUrl: new URL("http://127.0.0.1:1/events"),
  };
  const options = workerOptions(config);
  for (const key of WORKER_SETTINGS) assert.deepEqual(options[key], config[key], key);
  assert.equal(options.adaptivePace, true, "an HTTP service may throttle");
  assert.equal(typeof options.handler, "function");
  assert.equal(workerOptions(defaults()).adaptivePace, false);
});
