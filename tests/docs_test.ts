/** The docs name only files that exist, and their reason tables come from the code's lists. */
import assert from "node:assert/strict";
import { renderOutcomeDoc } from "../src/worker/docs.ts";

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
