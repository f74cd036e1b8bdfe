import assert from "node:assert/strict";
import { renderConfigTable, renderConfigurationDoc } from "../../../scripts/docs/configuration.ts";
import { SETTINGS } from "../../../src/config/settings.ts";

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

Deno.test("docs/configuration.md is the one the settings table renders (run `deno task docs`)", async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/configuration.md", import.meta.url));
  assert.deepEqual(cells(doc), cells(renderConfigurationDoc()));
  const prose = (text: string) => text.split("\n").filter((l) => !l.startsWith("|")).join(" ");
  assert.equal(
    prose(doc).replace(/\s+/g, " "),
    prose(renderConfigurationDoc()).replace(/\s+/g, " "),
  );
});
