/** deno.json tasks, the Dockerfile and `deno compile` grant what src/config/permissions.ts says. */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMPILE_FLAGS } from "../../scripts/compile.ts";
import { PERMISSIONS, RUN_PERMISSION, WORKER_V8_FLAGS } from "../../src/config/permissions.ts";

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
  };
  for (const [task, permissions] of Object.entries(expected)) {
    assert.deepEqual(flagsOf(taskLine(task).split(" ")), [...permissions].sort(), task);
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
  assert.deepEqual(flagsOf(args), [...PERMISSIONS].sort(), "Dockerfile permissions");
  assert.match(dockerfile, /^USER deno$/m);
  assert.equal(args.at(-1), "main.ts");
});

Deno.test("deno compile grants the tool's permissions and --allow-run, never write or all", () => {
  assert.deepEqual(flagsOf(COMPILE_FLAGS), [...PERMISSIONS, RUN_PERMISSION].sort());
});
