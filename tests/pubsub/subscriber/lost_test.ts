/** LostSubscription: which stream ends are reported, what is fatal, when the subscription is lost. */
import assert from "node:assert/strict";
import { BROKEN_AFTER_REOPENS, LostSubscription } from "../../../src/pubsub/subscriber/lost.ts";
import {
  type SubscriberReport,
  SubscriptionUnusableError,
} from "../../../src/pubsub/subscriber/report.ts";
import { GRPC } from "../../../src/pubsub/grpc_codes.ts";

function lost() {
  const reports: SubscriberReport[] = [];
  return { reports, subscription: new LostSubscription("s", (r) => reports.push(r)) };
}
/** For each stream-ended report, whether it was lasting. */
const lasting = (reports: readonly SubscriberReport[]) =>
  reports.map((r) => r.kind === "stream-ended" && r.lasting);
const end = (code: number, index = 0, startingUp = false) => ({
  index,
  code,
  error: new Error(`code ${code}`),
  delayMs: 100,
  startingUp,
});

Deno.test("LostSubscription reports a retryable end as routine and a planned one not at all", () => {
  const { reports, subscription } = lost();
  assert.equal(subscription.ended(end(GRPC.OK)), undefined);
  assert.equal(subscription.ended(end(GRPC.DEADLINE_EXCEEDED)), undefined);
  assert.equal(reports.length, 0, "planned ends");
  assert.equal(subscription.ended(end(GRPC.UNAVAILABLE)), undefined);
  assert.deepEqual(lasting(reports), [false]);
  assert.equal(subscription.broken, false);
});

Deno.test("LostSubscription makes NOT_FOUND at start-up fatal, with a typed error", () => {
  const { reports, subscription } = lost();
  const fatal = subscription.ended(end(GRPC.NOT_FOUND, 0, true));
  assert.ok(fatal instanceof SubscriptionUnusableError);
  assert.equal(fatal.subscription, "s");
  assert.equal(fatal.code, GRPC.NOT_FOUND);
  assert.equal(fatal.message, "the subscription s cannot be consumed (code 5)");
  assert.equal(reports.length, 0, "the owner words the error");
});

Deno.test(`LostSubscription counts the subscription lost after ${BROKEN_AFTER_REOPENS} NOT_FOUND in a row, reported once`, () => {
  const { reports, subscription } = lost();
  for (let i = 1; i < BROKEN_AFTER_REOPENS; i++) subscription.ended(end(GRPC.NOT_FOUND));
  assert.equal(subscription.broken, false);
  assert.deepEqual(lasting(reports), [true, true]);
  subscription.ended(end(GRPC.NOT_FOUND));
  assert.equal(subscription.broken, true);
  assert.deepEqual(reports.at(-1), {
    kind: "subscription-lost",
    subscription: "s",
    code: "NOT_FOUND",
    reopens: BROKEN_AFTER_REOPENS,
    retrySeconds: 60,
  });
  const told = reports.length;
  subscription.ended(end(GRPC.NOT_FOUND));
  assert.equal(reports.length, told, "nothing more while it stays lost");
  subscription.received();
  assert.equal(subscription.broken, false, "a message: it is back");
});

Deno.test("LostSubscription counts closes per stream, and another code breaks the run", () => {
  const { subscription } = lost();
  subscription.ended(end(GRPC.PERMISSION_DENIED, 0));
  subscription.ended(end(GRPC.PERMISSION_DENIED, 1));
  subscription.ended(end(GRPC.INVALID_ARGUMENT, 0));
  subscription.ended(end(GRPC.PERMISSION_DENIED, 0));
  subscription.ended(end(GRPC.PERMISSION_DENIED, 1));
  assert.equal(subscription.broken, false, "stream 0 was reset, stream 1 is at two");
  subscription.ended(end(GRPC.PERMISSION_DENIED, 1));
  assert.equal(subscription.broken, true);
});
