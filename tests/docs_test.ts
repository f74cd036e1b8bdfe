/** The docs name only files that exist, and their reason tables come from the code's lists. */
import assert from "node:assert/strict";
import { renderOutcomeDoc } from "../scripts/docs/outcomes.ts";

const root = new URL("../", import.meta.url);
const docs = async () => {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(new URL("docs/", root))) {
    if (entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  return files;
};

Deno.test("every src/… path that README.md and docs/*.md name exists", async () => {
  const missing: string[] = [];
  for (const file of await docs()) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const [path] of text.matchAll(/src\/[A-Za-z0-9_./-]+\.ts/g)) {
      try {
        await Deno.stat(new URL(path, root));
      } catch {
        missing.push(`${file} names ${path}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("docs/outcomes.md is the one the outcome and reason lists render (run `deno task docs`)", async () => {
  const words = (text: string) => text.replace(/[\s|-]+/g, " ").trim();
  const doc = await Deno.readTextFile(new URL("docs/outcomes.md", root));
  assert.equal(words(doc), words(renderOutcomeDoc()));
});

Deno.test("README's emulator recipe points every shell that runs the tool at the emulator", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const recipe = readme.slice(
    readme.indexOf("**A local emulator you started**"),
    readme.indexOf("**Consume from Google Cloud:**"),
  );
  const shells = [...recipe.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block!);
  assert.ok(shells.length >= 2, "a shell for the worker and one to publish");
  const host = recipe.match(/--host-port=(\S+)/)?.[1];
  assert.ok(host, "the recipe starts an emulator");
  for (const shell of shells) {
    const lines = shell.split("\n");
    const exported = lines.findIndex((l) => l.trim() === `export PUBSUB_EMULATOR_HOST=${host}`);
    const first = lines.findIndex((l) => /^deno task /.test(l));
    assert.ok(first >= 0, `each shell runs the tool:\n${shell}`);
    assert.ok(exported >= 0 && exported < first, `the variable is set before the tool:\n${shell}`);
  }
});
