import assert from "node:assert/strict";
import { fakeEvent } from "../../src/event/event.ts";
import {
  compose,
  type Handler,
  HandlerTimeoutError,
  SimulatedFailureError,
  sleep,
  withSimulation,
  withTimeout,
} from "../../src/worker/handler.ts";
import { Pool } from "../../src/worker/pool.ts";

const context = () => ({
  signal: new AbortController().signal,
  messageId: "1",
  deliveryAttempt: 1,
});
const hang: Handler = (_event, { signal }) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

Deno.test("withTimeout() fails a hung handler and aborts its signal", async () => {
  let aborted = false;
  const handler = compose((event, ctx) => {
    ctx.signal.addEventListener("abort", () => aborted = true);
    return hang(event, ctx);
  }, withTimeout(20));
  await assert.rejects(handler(fakeEvent(), context()), HandlerTimeoutError);
  assert.equal(aborted, true);
});

Deno.test("withTimeout() inside the pool gives the permit back after a hang", async () => {
  const pool = new Pool(1);
  const handler = compose(hang, withTimeout(20));
  await assert.rejects(pool.run(() => handler(fakeEvent(), context())), HandlerTimeoutError);
  assert.equal(pool.stats.inFlight, 0);
  assert.equal(await pool.run(() => Promise.resolve("next")), "next");
});

Deno.test("withTimeout(0) leaves the handler alone", async () => {
  let called = 0;
  await compose(() => Promise.resolve(void called++), withTimeout(0))(fakeEvent(), context());
  assert.equal(called, 1);
});

Deno.test("withSimulation() fails every call at rate 1 and none at rate 0", async () => {
  const ok: Handler = () => Promise.resolve();
  await assert.rejects(
    compose(ok, withSimulation(0, 1))(fakeEvent(), context()),
    SimulatedFailureError,
  );
  for (let i = 0; i < 50; i++) await compose(ok, withSimulation(0, 0))(fakeEvent(), context());
});

Deno.test("withSimulation() sleeps the configured latency", async () => {
  const started = performance.now();
  await compose(() => Promise.resolve(), withSimulation(30, 0))(fakeEvent(), context());
  assert.ok(performance.now() - started >= 29);
});

Deno.test("compose() applies the first middleware outermost", async () => {
  const order: string[] = [];
  const tag = (name: string) => (next: Handler): Handler => async (event, ctx) => {
    order.push(`${name}>`);
    await next(event, ctx);
    order.push(`<${name}`);
  };
  await compose(() => Promise.resolve(void order.push("handler")), tag("a"), tag("b"))(
    fakeEvent(),
    context(),
  );
  assert.deepEqual(order, ["a>", "b>", "handler", "<b", "<a"]);
});

Deno.test("withTimeout() times out each hung call on its own deadline and spares the rest", async () => {
  const handler = compose(
    (event, ctx) => event.paymentMethodType === "card" ? hang(event, ctx) : sleep(5),
    withTimeout(40),
  );
  const card = () => ({ ...fakeEvent(), paymentMethodType: "card" as const });
  const bank = () => ({ ...fakeEvent(), paymentMethodType: "bank_account" as const });
  const started = performance.now();
  const first = handler(card(), context());
  await sleep(20);
  const results = await Promise.allSettled([
    first,
    handler(bank(), context()),
    handler(card(), context()),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "fulfilled", "rejected"]);
  assert.ok(performance.now() - started >= 59, "the later call got its own 40ms");
});
