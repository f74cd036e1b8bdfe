/**
 * `deno task worker` drains on one Ctrl-C (SIGINT to the whole process group, as a terminal
 * sends it) and on one SIGTERM from `timeout`, although the task runner forwards the signal its
 * child already got: 10 of 10 tries each, exit 0, no forced stop.
 */
import assert from "node:assert/strict";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";

const TRIES = 10;
const root = new URL("../../", import.meta.url).pathname;

/** Runs `deno task worker` (through `prefix`), signals it once it handles events, returns how
 * it ended. */
async function once(
  prefix: string[],
  env: Record<string, string>,
  signal: (pid: number) => Promise<void>,
): Promise<{ code: number; stderr: string }> {
  const [program, ...args] = [...prefix, Deno.execPath(), "task", "worker"];
  const child = new Deno.Command(program as string, {
    args,
    cwd: root,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let stderr = "";
  let signalled = false;
  const stuck = setTimeout(() => child.kill("SIGKILL"), 60_000);
  for await (const chunk of child.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    // Events are in flight once the first one was handled: the stop has work to drain.
    if (!signalled && /"outcome":"acked"/.test(stderr)) {
      signalled = true;
      await signal(child.pid);
    }
  }
  const { code } = await child.status;
  clearTimeout(stuck);
  return { code, stderr };
}

integrationTest(
  "deno task worker drains on one process-group SIGINT and on one SIGTERM from timeout",
  async () => {
    // A fresh subscription per run: the emulator may stall a backlog after a stream closes.
    const fresh = async () => {
      const config = await testConfig();
      await createTopology(config);
      await publishEvents(config, 200);
      return {
        ...envFor(config),
        WORKER_POOL_SIZE: "20",
        WORKER_SIMULATE_LATENCY: "300ms",
        WORKER_SUMMARY_INTERVAL: "0",
        LOG_LEVEL: "debug",
        NO_COLOR: "1",
      };
    };
    const kill = async (args: string[]) => {
      const result = await new Deno.Command("kill", { args }).output();
      assert.ok(result.success, new TextDecoder().decode(result.stderr));
    };
    const results: string[] = [];
    for (let i = 0; i < TRIES; i++) {
      // A terminal's Ctrl-C: SIGINT to every process of the group (the task runner and worker).
      const interrupted = await once(
        ["setsid"],
        await fresh(),
        (pid) => kill(["-INT", "--", `-${pid}`]),
      );
      // `timeout` signals its own process group, and deno task forwards it again.
      const timedOut = await once(
        ["timeout", "--preserve-status", "-s", "TERM", "600"],
        await fresh(),
        async (pid) => await kill(["-TERM", String(pid)]),
      );
      for (const [how, run] of [["SIGINT", interrupted], ["timeout", timedOut]] as const) {
        assert.equal(
          run.code,
          0,
          `${how} try ${i + 1}: exit ${run.code}\n${run.stderr.slice(-2000)}`,
        );
        assert.doesNotMatch(run.stderr, /interrupted by a second/, `${how} try ${i + 1}`);
        assert.match(run.stderr, /Worker stopped/, `${how} try ${i + 1}`);
        results.push(how);
      }
    }
    assert.equal(results.length, 2 * TRIES);
  },
);
