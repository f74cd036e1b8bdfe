import assert from "node:assert/strict";
import { BUILT_IN_SCHEMA } from "../../../src/event/contract.ts";
import { renderEventDoc } from "../../../scripts/docs/events.ts";

const words = (text: string) => text.replace(/[\s|-]+/g, " ").trim();

Deno.test("docs/events.md is the one the built-in schema renders (run `deno task docs`)", async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/events.md", import.meta.url));
  assert.equal(words(doc), words(renderEventDoc()));
  for (const field of Object.keys(BUILT_IN_SCHEMA.properties)) {
    assert.ok(doc.includes(`\`${field}\``), `${field} is listed`);
  }
});
