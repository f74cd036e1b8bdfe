import assert from "node:assert/strict";
import { builtInContract } from "../../src/event/contract.ts";
import { decodeEvent } from "../../src/event/event.ts";
import { fakeEvent } from "../../src/event/payload.ts";

const contract = builtInContract();
const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const decode = (value: unknown) => decodeEvent(encode(value), contract);

Deno.test("fakeEvent() makes events that decodeEvent() accepts", () => {
  for (let i = 0; i < 100; i++) {
    const event = fakeEvent();
    assert.deepEqual(decode(event), { ok: true, event, eventID: event.eventID });
  }
});

Deno.test("decodeEvent() keeps every field, extra ones included", () => {
  const event = { ...fakeEvent(), metadata: { source: "ios", tags: ["a"] }, version: 2 };
  const result = decode(event);
  assert.ok(result.ok);
  assert.deepEqual(result.event, event);
});

Deno.test("decodeEvent() accepts what the original system publishes: four fields, any type", () => {
  const original = {
    eventID: crypto.randomUUID(),
    userID: crypto.randomUUID(),
    paymentMethodID: crypto.randomUUID(),
    paymentMethodType: "paypal", // not card or bank_account: handled, counted as unrecognised
  };
  const result = decode(original);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(contract.unrecognised(original), true);
  assert.equal(contract.unrecognised({ ...original, paymentMethodType: "card" }), false);
});

Deno.test("decodeEvent() accepts the UUID forms Go's google/uuid parses", () => {
  const id = "7d0f5b8e-3c1a-4c55-9b9e-2f7f3f1c2d11";
  for (
    const form of [
      id,
      id.toUpperCase(),
      `{${id}}`,
      `urn:uuid:${id}`,
      id.replaceAll("-", ""),
      "00000000-0000-0000-0000-000000000000", // no version or variant check, as in Go
    ]
  ) {
    const result = decode({ ...fakeEvent(), userID: form });
    assert.ok(result.ok, `${form}: ${JSON.stringify(result)}`);
  }
  for (const bad of [`${id}0`, id.slice(1), `(${id})`, "user-1"]) {
    assert.equal(decode({ ...fakeEvent(), userID: bad }).ok, false, bad);
  }
});

Deno.test("decodeEvent() gives the JSON path and the rule for each kind of bad payload", () => {
  const good = fakeEvent();
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array([0xff, 0xfe, 0x00]), "invalid-encoding", /not valid UTF-8/],
    [encode(""), "invalid-json", /not JSON/],
    [encode('{"eventID": "'), "invalid-json", /not JSON/],
    [encode([good]), "invalid-event", /^\/: must be object \(rule type\), got an array/],
    [encode("null"), "invalid-event", /^\/: must be object \(rule type\), got null/],
    [
      encode({ ...good, eventID: undefined }),
      "invalid-event",
      /^\/eventID: required \(rule required\), got nothing/,
    ],
    [
      encode({ ...good, userID: "user-1" }),
      "invalid-event",
      /^\/userID: expected a UUID .*\(rule pattern\), got "user-1"/,
    ],
    [
      encode({ ...good, paymentMethodID: 42 }),
      "invalid-event",
      /^\/paymentMethodID: must be string \(rule type\), got the number "42"/,
    ],
    [
      encode({ ...good, paymentMethodType: 7 }),
      "invalid-event",
      /^\/paymentMethodType: must be string \(rule type\)/,
    ],
    [
      encode({ ...good, createdAt: "yesterday" }),
      "invalid-event",
      /^\/createdAt: expected an RFC 3339 date-time .*\(rule format\), got "yesterday"/,
    ],
    [encode({ ...good, createdAt: "2026-13-45T00:00:00Z" }), "invalid-event", /^\/createdAt:/],
  ];
  for (const [data, reason, detail] of cases) {
    const result = decodeEvent(data, contract);
    assert.equal(result.ok, false, String(detail));
    if (!result.ok) {
      assert.equal(result.reason, reason, String(detail));
      assert.match(result.detail, detail);
    }
  }
});

Deno.test("decodeEvent() accepts offsets and fractional seconds in createdAt, and no createdAt", () => {
  assert.ok(decode({ ...fakeEvent(), createdAt: "2026-11-26T16:46:18.123+01:00" }).ok);
  const { createdAt: _, ...withoutCreatedAt } = fakeEvent();
  assert.ok(decode(withoutCreatedAt).ok);
});

Deno.test("decodeEvent() tells a U+FFFD in valid UTF-8 from bytes that are not UTF-8", () => {
  const event = { ...fakeEvent(), note: "replacement \uFFFD character" };
  assert.deepEqual(decode(event), { ok: true, event, eventID: event.eventID });
  const body = encode(event);
  const broken = new Uint8Array([...body.slice(0, 10), 0xc3, 0x28, ...body.slice(10)]);
  const result = decodeEvent(broken, contract);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.reason, "invalid-encoding");
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...body]);
  assert.equal(decodeEvent(bom, contract).ok, true, "a leading BOM is dropped, as before");
});
