import assert from "node:assert/strict";
import { renderConfigTable, TABLE_END, TABLE_START } from "../../src/config/docs.ts";
import { SETTINGS } from "../../src/config/settings.ts";

/** Table rows as trimmed cells, ignoring the padding `deno fmt` adds. */
function cells(markdown: string): string[][] {
  return markdown.split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").map((cell) => cell.trim().replace(/^-+$/, "---")));
}

Deno.test("renderConfigTable() lists every variable and flag once", () => {
  const rows = cells(renderConfigTable()).slice(2);
  assert.equal(rows.length, Object.keys(SETTINGS).length);
  for (const s of Object.values(SETTINGS)) {
    assert.ok(rows.some((row) => row[1] === `\`${s.env}\`` && row[2] === `\`${s.flag}\``), s.env);
  }
});

Deno.test("README.md's configuration table is the one config.ts renders (run `deno task docs`)", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END));
  assert.ok(section.length > 0, "README.md has the config-table markers");
  assert.deepEqual(cells(section), cells(renderConfigTable()));
});
