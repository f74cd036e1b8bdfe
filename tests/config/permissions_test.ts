/** deno.json tasks, the Dockerfile and `deno compile` grant what src/config/permissions.ts says. */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMPILE_FLAGS } from "../../scripts/compile.ts";
import { COMMAND_SETTINGS } from "../../src/config/settings.ts";
import {
  ADC_FILE,
  COMPILED_RUN_PERMISSION,
  GRANT_VARIABLE,
  grantFor,
  PERMISSIONS,
  RUN_PERMISSION,
  RUN_PROGRAMS,
  TASK_FLAGS,
  WORKER_V8_FLAGS,
} from "../../src/config/permissions.ts";

const root = new URL("../../", import.meta.url);
/** A task's command line (a task is a string, or an object with `command`). */
function taskLine(name: string): string {
  const task: unknown = (denoJson.tasks as Record<string, unknown>)[name];
  return typeof task === "string" ? task : (task as { command: string }).command;
}
const flagsOf = (words: readonly string[]) => words.filter((w) => w.startsWith("--allow")).sort();

Deno.test("deno.json tasks grant exactly TASK_FLAGS before main.ts, and no task runs Docker", () => {
  for (const [task, flags] of Object.entries(TASK_FLAGS)) {
    const words = taskLine(task).split(" ");
    assert.deepEqual(words.slice(2, words.indexOf("main.ts")), [...flags], task);
  }
  for (const task of Object.keys(denoJson.tasks)) {
    assert.doesNotMatch(taskLine(task), /--allow-run=[^ ]*docker/, task);
    assert.doesNotMatch(taskLine(task), /(^| )(-A|--allow-all)( |$)/, task);
  }
});

Deno.test("tasks that run the tool read only the checkout and the credentials file, or as the executable", () => {
  const reads = (task: keyof typeof TASK_FLAGS) =>
    (TASK_FLAGS[task] as readonly string[]).filter((f) => f.startsWith("--allow-read"));
  for (const task of ["setup", "status", "replay", "snapshot", "dead-letters"] as const) {
    assert.deepEqual(reads(task), [`--allow-read=${ADC_FILE}`], task);
  }
  for (const task of ["publish", "worker"] as const) {
    assert.deepEqual(reads(task), [`--allow-read=.,${ADC_FILE}`], task);
  }
  // demo finds the emulator's jar wherever the SDK is; cli is the executable's own set.
  assert.deepEqual([...TASK_FLAGS.cli.slice(0, -1)], [...COMPILE_FLAGS]);
  for (const task of ["worker", "cli", "setup", "publish"] as const) {
    assert.equal(TASK_FLAGS[task].at(-1), `$${GRANT_VARIABLE}`, `${task} passes grants on`);
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
  const warm = /deno run --cached-only [^&\\]*main\.ts --version/.exec(dockerfile)?.[0] ?? "";
  assert.ok(warm.split(" ").includes(WORKER_V8_FLAGS), "the build warms the cache likewise");
  assert.deepEqual(flagsOf(args), [...PERMISSIONS].sort(), "Dockerfile permissions");
  // A numeric user, so Kubernetes can check runAsNonRoot (it cannot resolve a name).
  assert.match(dockerfile, /^USER 1993:1993$/m);
  assert.match(dockerfile, /^ENV METRICS_HOST=0\.0\.0\.0$/m, "probes reach the metrics port");
  assert.equal(args.at(-1), "main.ts");
});

Deno.test("the image's code and caches are root's, read-only to the runtime user", async () => {
  const dockerfile = await Deno.readTextFile(new URL("Dockerfile", root));
  const beforeUser = dockerfile.slice(0, dockerfile.search(/^USER /m));
  assert.doesNotMatch(dockerfile, /chown[^\n]*1993|chown[^\n]*deno:/, "nothing given to the user");
  assert.match(beforeUser, /deno install --frozen/, "installed as root");
  assert.match(beforeUser, /deno run --cached-only/, "the code cache warmed as root");
  assert.match(beforeUser, /chown -R root:root \/app "\$DENO_DIR"/, "the base image's too");
  assert.match(beforeUser, /chmod -R go-w \/app "\$DENO_DIR"/, "and not writable by others");
  assert.doesNotMatch(dockerfile.slice(beforeUser.length), /^RUN /m, "nothing runs as the user");
});

Deno.test("deno compile grants the tool's permissions and --allow-run for named programs only", () => {
  assert.deepEqual(flagsOf(COMPILE_FLAGS), [...PERMISSIONS, COMPILED_RUN_PERMISSION].sort());
  assert.ok(!(COMPILE_FLAGS as readonly string[]).includes(RUN_PERMISSION), "never unscoped");
  assert.equal(COMPILED_RUN_PERMISSION, "--allow-run=gcloud,java", "not docker, not go");
  assert.equal(COMPILED_RUN_PERMISSION, `--allow-run=${RUN_PROGRAMS.join(",")}`);
  assert.ok(!COMPILE_FLAGS.some((f) => /--allow-(all|write)|^-A$/.test(f)));
});

Deno.test("grantFor() turns Deno's permission error into the scoped flag that grants it", () => {
  assert.equal(
    grantFor('Requires write access to "/data/seen.txt", run again with the --allow-write flag'),
    "--allow-write=/data/seen.txt",
  );
  assert.equal(
    grantFor('Requires net access to "api.example.com:443", run again with the --allow-net flag'),
    "--allow-net=api.example.com:443",
  );
  assert.equal(grantFor("something else"), undefined);
});
