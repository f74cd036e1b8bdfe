import assert from "node:assert/strict";
import { fakeEvent } from "../../src/event/payload.ts";
import { compose, type Handler } from "../../src/worker/handler.ts";
import { handlerContext } from "../support/handler.ts";

Deno.test("compose() applies the first middleware outermost", async () => {
  const order: string[] = [];
  const tag = (name: string) => (next: Handler): Handler => async (event, ctx) => {
    order.push(`${name}>`);
    await next(event, ctx);
    order.push(`<${name}`);
  };
  await compose(() => Promise.resolve(void order.push("handler")), tag("a"), tag("b"))(
    fakeEvent(),
    handlerContext(),
  );
  assert.deepEqual(order, ["a>", "b>", "handler", "<b", "<a"]);
});
