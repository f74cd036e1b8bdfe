/**
 * The compiled executable end to end: setup, worker (with its console, whose page and uPlot
 * are embedded as text imports) and publish on the emulator. `deno compile`
 * needs a Deno runtime base (downloaded from the Deno site, or DENORT_BIN); where it cannot get
 * one the test is registered as ignored, with the reason printed. Any other compile error fails.
 */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { compile } from "../../scripts/compile.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, pull, testConfig } from "../support/pubsub.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";

const dir = await Deno.makeTempDir();
const binary = `${dir}/event-tool`;
const built = await compile(binary);
const stderr = new TextDecoder().decode(built.stderr);
/** Only a runtime base that cannot be had excuses the test; the reason is printed. */
const noBase = !built.success && /Setting up base binary|denort/.test(stderr);
if (noBase) {
  const lines = stderr.split("\n");
  const why = lines.find((line) => line.includes("error sending request")) ??
    lines.find((line) => line.includes("denort")) ?? "download failed";
  console.log(
    "IGNORED: the compiled-executable end-to-end test needs a Deno runtime base, and deno " +
      `compile could not get one (${why.trim()}). Set DENORT_BIN to a local denort binary, or ` +
      "run where the Deno download site is reachable.",
  );
}

integrationTest(
  "the compiled executable runs setup, worker and publish on the emulator",
  async () => {
    try {
      assert.ok(built.success, `deno compile failed:\n${stderr}`);
      const config = await testConfig();
      const env = envFor(config);
      const version = await runCli(["--version"], {}, undefined, binary);
      assert.match(
        version.stdout,
        new RegExp(`event-tool ${denoJson.version}|^${denoJson.version}`),
      );
      const setup = await runCli(["setup"], env, undefined, binary);
      assert.equal(setup.code, 0, setup.stderr);
      const port = freePort();
      const worker = spawnCli(["worker", "--console"], {
        ...env,
        METRICS_PORT: String(port),
      }, binary);
      const outcomes = new Outcomes();
      outcomes.follow(worker);
      await worker.waitForLine(/Worker consuming/);
      const embedded: [string, string][] = [
        ["/console/", "<!doctype html>"],
        ["/console/assets/uplot.js", "/*! https://github.com/leeoniya/uPlot"],
      ];
      for (const [path, start] of embedded) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(response.status, 200, path);
        assert.ok((await response.text()).startsWith(start), `${path} is embedded`);
      }
      const publish = await runCli(["publish", "--count", "100"], env, undefined, binary);
      assert.equal(publish.code, 0, publish.stderr);
      await outcomes.until(() => outcomes.processedCounts().size >= 100, 30_000, "100 acked");
      worker.process.kill("SIGTERM");
      assert.equal((await worker.finished).code, 0);
      assert.deepEqual(await pull(config, config.subscription), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { ignore: noBase },
);

if (noBase) await Deno.remove(dir, { recursive: true }).catch(() => {});
