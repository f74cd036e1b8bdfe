/**
 * The layout is the architecture (docs/ARCHITECTURE.md): folders of src/ are layers, and a
 * module imports only from its own layer or the layers below it. These tests read every import.
 */
import assert from "node:assert/strict";

/** The layers of src/, lowest first. main.ts is above them all. */
const LAYERS = [
  "base",
  "config",
  "telemetry",
  "event",
  "pubsub",
  "worker",
  "ops",
  "bench",
  "commands",
] as const;
/** Modules allowed past ~250 lines: the settings table is one long declaration. */
const LONG_ALLOWED = new Set(["src/config/settings.ts"]);
const MAX_LINES = 250;

const root = new URL("../", import.meta.url).pathname;

async function* files(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(`${root}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* files(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** Relative imports of `path`, resolved to repository paths. */
async function importsOf(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${root}${path}`);
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)];
  return specs.map((m) => new URL(m[1] ?? "", `file://${root}${path}`).pathname.slice(root.length));
}

function layerOf(path: string): number {
  const folder = path.split("/")[1] ?? "";
  return (LAYERS as readonly string[]).indexOf(folder);
}

Deno.test("every module of src/ sits in a layer folder", async () => {
  for await (const path of files("src")) {
    assert.ok(layerOf(path) >= 0, `${path} is not in one of ${LAYERS.join(", ")}`);
  }
});

Deno.test("no module of src/ imports from a higher layer", async () => {
  const upward: string[] = [];
  for await (const path of files("src")) {
    for (const target of await importsOf(path)) {
      if (!target.startsWith("src/")) {
        // Data, not code: the version and imports, and the event schemas users read too.
        const data = target === "deno.json" || /^schemas\/[\w.-]+\.json$/.test(target);
        if (!data) upward.push(`${path} → ${target}`);
      } else if (layerOf(target) > layerOf(path)) upward.push(`${path} → ${target}`);
    }
  }
  assert.deepEqual(upward, []);
});

Deno.test("src/ and scripts/ never import from tests/", async () => {
  const found: string[] = [];
  for (const dir of ["src", "scripts"]) {
    for await (const path of files(dir)) {
      for (const target of await importsOf(path)) {
        if (target.startsWith("tests/")) found.push(`${path} → ${target}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

Deno.test(`modules of src/ stay under ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for await (const path of files("src")) {
    const lines = (await Deno.readTextFile(`${root}${path}`)).split("\n").length;
    if (lines > MAX_LINES && !LONG_ALLOWED.has(path)) long.push(`${path}: ${lines}`);
  }
  assert.deepEqual(long, []);
});

Deno.test("main.ts only parses and dispatches: it imports commands, config and base", async () => {
  const allowed = ["src/commands/", "src/config/", "src/base/", "src/telemetry/", "deno.json"];
  for (const target of await importsOf("main.ts")) {
    assert.ok(allowed.some((prefix) => target.startsWith(prefix)), `main.ts → ${target}`);
  }
});
