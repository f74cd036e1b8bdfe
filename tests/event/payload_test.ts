import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { builtInContract } from "../../src/event/contract.ts";
import { decodeNdjson, fakeEvent, parseNdjson } from "../../src/event/payload.ts";

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : p),
  );

Deno.test("decodeNdjson() refuses invalid UTF-8 naming its line, where a lenient decoder swaps in U+FFFD", () => {
  const good = JSON.stringify(fakeEvent());
  assert.equal(decodeNdjson(bytes(good, "\n", good), "f.ndjson", "--file"), `${good}\n${good}`);
  assert.throws(
    () =>
      decodeNdjson(bytes(good, "\n", '{"eventID":"', [0xff, 0xfe], '"}\n'), "f.ndjson", "--file"),
    (error: Error) =>
      error instanceof UsageError &&
      error.message ===
        "--file f.ndjson line 2: not valid UTF-8, expected UTF-8 text (nothing was published)",
  );
});

Deno.test("parseNdjson() numbers each payload by its line and refuses one over Pub/Sub's limit", () => {
  const [a, b] = [fakeEvent(), fakeEvent()];
  const text = `${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`;
  const payloads = parseNdjson(text, "f.ndjson", "--file", builtInContract());
  assert.deepEqual(payloads.map((p) => [p.eventID, p.line]), [[a.eventID, 1], [b.eventID, 3]]);
  const huge = JSON.stringify({ ...a, padding: "x".repeat(10 * 1024 * 1024) });
  assert.throws(
    () => parseNdjson(`${JSON.stringify(b)}\n${huge}`, "f.ndjson", "--file", builtInContract()),
    /^UsageError: --file f.ndjson line 2: \d+ bytes, expected at most 10485760 \(Pub\/Sub's message limit\)$/,
  );
});
