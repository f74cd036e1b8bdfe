import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import {
  BUILT_IN_SCHEMA_PATH,
  BUILT_IN_VALIDATOR_PATH,
  builtInContract,
  loadContract,
} from "../../src/event/contract.ts";
import { compile, validatorSource } from "../../src/event/compile.ts";
import { BUILT_IN_EVENT_TYPE } from "../../src/event/event.ts";

const ORDER_SCHEMA = new URL("../../examples/order_placed.schema.json", import.meta.url).pathname;

Deno.test("the built-in schema passes the meta-schema check, which a typo fails", () => {
  const schema = JSON.parse(Deno.readTextFileSync(BUILT_IN_SCHEMA_PATH));
  assert.doesNotThrow(() => compile(schema));
  assert.throws(() => compile({ ...schema, required: "eventID" }), /must be array/);
});

Deno.test("the built-in validator is the code Ajv compiles the schema to (run `deno task docs`)", async () => {
  const schema = JSON.parse(await Deno.readTextFile(BUILT_IN_SCHEMA_PATH));
  assert.equal(
    await Deno.readTextFile(BUILT_IN_VALIDATOR_PATH),
    validatorSource(schema, "schemas/payment_method_created.schema.json"),
  );
  // It judges as the compiled schema does, with the same error objects.
  const compiled = compile(schema);
  const contract = builtInContract();
  for (
    const event of [
      { eventID: crypto.randomUUID(), userID: crypto.randomUUID(), paymentMethodID: "x" },
      { eventID: "no", userID: 1, paymentMethodID: null, paymentMethodType: "card" },
      { ...JSON.parse(JSON.stringify({ createdAt: "yesterday" })) },
    ]
  ) {
    assert.equal(compiled(event), false);
    assert.ok(contract.validate(event)?.startsWith(compiled.errors?.[0]?.instancePath || "/"));
  }
});

Deno.test("builtInContract() is PaymentMethodCreated from schemas/, createdAt optional", async () => {
  const contract = builtInContract();
  assert.equal(contract.eventType, BUILT_IN_EVENT_TYPE);
  assert.equal(contract.source, "built-in");
  const schema = JSON.parse(
    await Deno.readTextFile(
      new URL("../../schemas/payment_method_created.schema.json", import.meta.url),
    ),
  );
  assert.equal(schema.title, BUILT_IN_EVENT_TYPE);
  assert.deepEqual(schema.required, ["eventID", "userID", "paymentMethodID", "paymentMethodType"]);
  assert.equal(builtInContract("Renamed").eventType, "Renamed");
});

Deno.test("loadContract() takes the event type from the schema's title, or --event-type", async () => {
  const order = await loadContract(ORDER_SCHEMA, "--schema");
  assert.equal(order.eventType, "OrderPlaced");
  assert.equal(
    (await loadContract(ORDER_SCHEMA, "--schema", "shop.order")).eventType,
    "shop.order",
  );
  const valid = {
    eventID: crypto.randomUUID(),
    orderID: "A-1",
    customerID: crypto.randomUUID(),
    items: [{ sku: "X", quantity: 1 }],
    total: { amount: 1, currency: "EUR" },
  };
  assert.equal(order.validate(valid), undefined);
  assert.equal(
    order.validate({ ...valid, items: [{ sku: "X", quantity: 0 }] }),
    '/items/0/quantity: must be >= 1 (rule minimum), got the number "0"',
  );
  assert.equal(
    order.validate({ ...valid, total: { amount: 1, currency: "euro" } }),
    '/total/currency: expected an ISO 4217 code such as EUR (rule pattern), got "euro"',
  );
});

Deno.test("loadContract() refuses a bad schema file with exit 2 naming the file and the problem", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  const cases: [string, RegExp][] = [
    [`${dir}/missing.json`, /missing\.json" cannot be read/],
    [await write("text.json", "not json"), /text\.json" is not JSON/],
    [await write("array.json", "[]"), /array\.json" is not a JSON object/],
    [
      await write("typo.json", '{"title": "T", "type": "object", "requried": ["a"]}'),
      /typo\.json" is not a valid schema: strict mode: unknown keyword: "requried"/,
    ],
    [
      await write("type.json", '{"title": "T", "type": "obj"}'),
      /type\.json" is not a valid schema: /,
    ],
    [await write("untitled.json", '{"type": "object"}'), /has no title to name its event type/],
  ];
  try {
    for (const [path, pattern] of cases) {
      const error = await loadContract(path, "--schema").then(() => undefined, (e) => e);
      assert.ok(error instanceof UsageError, path);
      assert.match(error.message, /^--schema: "/);
      assert.match(error.message, pattern);
      assert.match(error.message, /expected a JSON Schema \(draft 2020-12\) file$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
