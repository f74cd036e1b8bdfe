/** deno.json tasks, the Dockerfile and `deno compile` grant what src/config/permissions.ts says. */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMPILE_FLAGS } from "../../scripts/compile.ts";
import { COMMAND_SETTINGS } from "../../src/config/settings.ts";
import {
  COMPILED_RUN_PERMISSION,
  PERMISSIONS,
  RUN_PERMISSION,
  RUN_PROGRAMS,
  WORKER_V8_FLAGS,
} from "../../src/config/permissions.ts";

const root = new URL("../../", import.meta.url);
/** A task's command line (a task is a string, or an object with `command`). */
function taskLine(name: string): string {
  const task: unknown = (denoJson.tasks as Record<string, unknown>)[name];
  return typeof task === "string" ? task : (task as { command: string }).command;
}
const flagsOf = (words: readonly string[]) => words.filter((w) => w.startsWith("--allow")).sort();

Deno.test("deno.json tasks grant exactly PERMISSIONS, plus --allow-run where a process starts", () => {
  const expected = {
    setup: [...PERMISSIONS],
    publish: [...PERMISSIONS],
    worker: [...PERMISSIONS],
    demo: [...PERMISSIONS, RUN_PERMISSION],
    cli: [...PERMISSIONS, RUN_PERMISSION],
    status: [...PERMISSIONS],
    replay: [...PERMISSIONS],
    snapshot: [...PERMISSIONS],
    "dead-letters": [...PERMISSIONS],
  };
  for (const [task, permissions] of Object.entries(expected)) {
    assert.deepEqual(flagsOf(taskLine(task).split(" ")), [...permissions].sort(), task);
  }
});

Deno.test("every command has a task of its own (and deno task cli runs any)", () => {
  const commands = [...taskLine("cli").matchAll(/main\.ts$/g)];
  assert.equal(commands.length, 1, "cli ends at main.ts: the command follows");
  for (const name of Object.keys(COMMAND_SETTINGS)) {
    const line = taskLine(name === "bench" ? "bench" : name);
    assert.match(line, new RegExp(`main\\.ts ${name}$`), `deno task ${name}`);
  }
});

Deno.test("the worker runs with the same heap cap from deno task, Docker and deno compile", async () => {
  assert.ok(taskLine("worker").split(" ").includes(WORKER_V8_FLAGS), "deno task worker");
  assert.ok((COMPILE_FLAGS as readonly string[]).includes(WORKER_V8_FLAGS), "deno compile");
  const dockerfile = await Deno.readTextFile(new URL("Dockerfile", root));
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  assert.ok(entrypoint, "Dockerfile has an exec-form ENTRYPOINT");
  const args: string[] = JSON.parse(entrypoint);
  assert.ok(args.includes(WORKER_V8_FLAGS), "Dockerfile");
  // V8 ignores a code cache written under other flags: the build warms it under these.
  const warm = /^RUN deno run .*$/m.exec(dockerfile)?.[0] ?? "";
  assert.ok(warm.split(" ").includes(WORKER_V8_FLAGS), "the build warms the cache likewise");
  assert.deepEqual(flagsOf(args), [...PERMISSIONS].sort(), "Dockerfile permissions");
  // A numeric user, so Kubernetes can check runAsNonRoot (it cannot resolve a name).
  assert.match(dockerfile, /^USER 1993:1993$/m);
  assert.match(dockerfile, /^ENV METRICS_HOST=0\.0\.0\.0$/m, "probes reach the metrics port");
  assert.equal(args.at(-1), "main.ts");
});

Deno.test("deno compile grants the tool's permissions and --allow-run for named programs only", () => {
  assert.deepEqual(flagsOf(COMPILE_FLAGS), [...PERMISSIONS, COMPILED_RUN_PERMISSION].sort());
  assert.ok(!(COMPILE_FLAGS as readonly string[]).includes(RUN_PERMISSION), "never unscoped");
  assert.equal(COMPILED_RUN_PERMISSION, `--allow-run=${RUN_PROGRAMS.join(",")}`);
  assert.ok(!COMPILE_FLAGS.some((f) => /--allow-(all|write)|^-A$/.test(f)));
});
