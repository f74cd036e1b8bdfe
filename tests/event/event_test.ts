import assert from "node:assert/strict";
import { decodeEvent, validateEvent } from "../../src/event/event.ts";
import { fakeEvent } from "../../src/event/payload.ts";

const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

Deno.test("fakeEvent() makes events that decodeEvent() accepts", () => {
  for (let i = 0; i < 100; i++) {
    const event = fakeEvent();
    assert.deepEqual(decodeEvent(encode(event)), { ok: true, event });
  }
});

Deno.test("decodeEvent() drops unknown fields", () => {
  const event = fakeEvent();
  const result = decodeEvent(encode({ ...event, extra: "x" }));
  assert.ok(result.ok);
  assert.deepEqual(result.event, event);
});

Deno.test("decodeEvent() gives a precise reason for each kind of bad payload", () => {
  const good = fakeEvent();
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array([0xff, 0xfe, 0x00]), "invalid-encoding", /not valid UTF-8/],
    [encode(""), "invalid-json", /not JSON/],
    [encode('{"eventID": "'), "invalid-json", /not JSON/],
    [encode([good]), "invalid-event", /expected a JSON object, got an array/],
    [encode("null"), "invalid-event", /expected a JSON object, got null/],
    [
      encode({ ...good, eventID: undefined }),
      "invalid-event",
      /^eventID: expected a UUID, got nothing/,
    ],
    [
      encode({ ...good, userID: "user-1" }),
      "invalid-event",
      /^userID: expected a UUID, got "user-1"/,
    ],
    [
      encode({ ...good, paymentMethodID: 42 }),
      "invalid-event",
      /^paymentMethodID: expected a UUID, got number "42"/,
    ],
    [
      encode({ ...good, paymentMethodType: "cash" }),
      "invalid-event",
      /^paymentMethodType: expected one of card, bank_account, got "cash"/,
    ],
    [
      encode({ ...good, createdAt: "yesterday" }),
      "invalid-event",
      /^createdAt: expected an ISO-8601 date-time/,
    ],
    [encode({ ...good, createdAt: "2026-13-45T00:00:00Z" }), "invalid-event", /^createdAt:/],
  ];
  for (const [data, reason, detail] of cases) {
    const result = decodeEvent(data);
    assert.equal(result.ok, false, String(detail));
    if (!result.ok) {
      assert.equal(result.reason, reason, String(detail));
      assert.match(result.detail, detail);
    }
  }
});

Deno.test("validateEvent() accepts offsets and fractional seconds in createdAt", () => {
  assert.equal(
    validateEvent({ ...fakeEvent(), createdAt: "2026-11-26T16:46:18.123+01:00" }),
    undefined,
  );
});
