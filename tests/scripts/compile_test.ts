import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { compile, PERMISSIONS } from "../../scripts/compile.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, pull, testConfig } from "../support/pubsub.ts";

Deno.test("the compiled executable gets no more permissions than the tool uses", () => {
  assert.ok(!(PERMISSIONS as readonly string[]).includes("--allow-all"));
  assert.ok(!(PERMISSIONS as readonly string[]).includes("-A"));
  assert.ok(!(PERMISSIONS as readonly string[]).includes("--allow-write"));
  for (const task of ["setup", "publish", "worker", "demo"] as const) {
    const flags = denoJson.tasks[task].split(" ").filter((w) => w.startsWith("--allow"));
    for (const flag of flags) {
      assert.ok((PERMISSIONS as readonly string[]).includes(flag), `${task} task uses ${flag}`);
    }
  }
});

integrationTest(
  "the compiled executable runs setup, worker and publish on the emulator",
  async () => {
    const dir = await Deno.makeTempDir();
    const binary = `${dir}/event-tool`;
    const built = await compile(binary);
    if (!built.success) {
      const stderr = new TextDecoder().decode(built.stderr);
      // Only a runtime base that cannot be had is excused; any other compile error fails here.
      assert.match(stderr, /Setting up base binary|denort/, stderr);
      const lines = stderr.split("\n");
      const why = lines.find((line) => line.includes("error sending request")) ??
        lines.find((line) => line.includes("denort")) ?? "download failed";
      console.log(
        "NOT RUN: the compiled-executable end-to-end check needs a Deno runtime base, and " +
          `deno compile could not get one (${why.trim()}). Set DENORT_BIN to a local denort ` +
          "binary, or run where the Deno download site is reachable.",
      );
      await Deno.remove(dir, { recursive: true });
      return;
    }
    const config = await testConfig();
    const env = envFor(config);
    assert.equal(
      (await runCli(["--version"], {}, undefined, binary)).stdout.trim(),
      denoJson.version,
    );
    const setup = await runCli(["setup"], env, undefined, binary);
    assert.equal(setup.code, 0, setup.stderr);
    const worker = spawnCli(["worker"], env, binary);
    await worker.waitForLine(/Worker consuming/);
    const publish = await runCli(["publish", "--count", "100"], env, undefined, binary);
    assert.equal(publish.code, 0, publish.stderr);
    const acked = new Set<string>();
    while (acked.size < 100) {
      const line = await worker.waitForLine(/"outcome":"acked"/);
      worker.lines.splice(0, worker.lines.indexOf(line) + 1);
      acked.add(JSON.parse(line).eventID);
    }
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    assert.deepEqual(await pull(config, config.subscription), []);
    await Deno.remove(dir, { recursive: true });
  },
);
