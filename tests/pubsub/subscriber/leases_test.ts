/** LeaseBook: what the subscriber holds, when it is full, which leases are due or expired. */
import assert from "node:assert/strict";
import { GRACE_MS, LeaseBook } from "../../../src/pubsub/subscriber/leases.ts";
import { type LeaseOwner, ReceivedMessage } from "../../../src/pubsub/subscriber/message.ts";
import { protos } from "../../support/fake_pubsub.ts";

const owner: LeaseOwner = { settle: () => {}, waiting: () => {} };
const messages = (count: number, at = 0, stream = 0) =>
  protos(count).map((proto) => new ReceivedMessage(proto, stream, at, owner));

Deno.test("LeaseBook is full at the window, and once paused stays full until a tenth has left", () => {
  const book = new LeaseBook();
  const held = messages(20);
  for (const m of held) book.add(m, 10_000);
  assert.equal(book.full(20, 0, Infinity), true);
  book.remove(held[0]!);
  assert.equal(book.full(20, 0, Infinity), false, "not paused: room for one");
  assert.equal(book.full(20, 0, Infinity, true), true, "paused: 19 is not a tenth below 20");
  book.remove(held[1]!);
  assert.equal(book.full(20, 0, Infinity, true), false, "18: resumes");
  const small = new LeaseBook();
  const one = messages(1)[0]!;
  small.add(one, 10_000);
  small.remove(one);
  assert.equal(small.full(5, 0, Infinity, true), false, "an empty book always resumes");
});

Deno.test("LeaseBook counts a waiting message beyond the window, and bytes and streams held", () => {
  const book = new LeaseBook();
  const [a, b] = messages(2, 0, 1);
  book.add(a!, 10_000);
  book.add(b!, 10_000);
  a!.wait(true); // the message keeps its own flag; the owner tells the book
  book.setWaiting(a!, true);
  assert.equal(book.ready, 1);
  assert.equal(book.waiting, 1);
  assert.equal(book.full(2, 1, Infinity), true, "the waiting allowance is full");
  assert.equal(book.heldFrom(1), 2);
  assert.equal(book.bytes, a!.data.byteLength + b!.data.byteLength);
  book.remove(a!);
  assert.equal(book.waiting, 0);
  assert.equal(book.heldFrom(1), 1);
});

Deno.test("LeaseBook.due() extends leases within the grace period and expires those past the max lease", () => {
  const book = new LeaseBook();
  const [early, late] = messages(2);
  book.add(early!, 10_000);
  assert.deepEqual(book.due(10_000 - GRACE_MS - 1, 10_000, 60_000).extend, [], "not yet");
  const due = book.due(10_000 - GRACE_MS, 10_000, 60_000);
  assert.deepEqual(due.extend, [early]);
  assert.equal(early!.leasedUntil, 20_000 - GRACE_MS, "extended to the deadline from now");
  assert.equal(book.extensions, 1);
  book.add(late!, 10_000);
  const expired = book.due(60_000, 10_000, 60_000);
  assert.deepEqual(expired.expired, [early, late]);
  assert.equal(book.size, 0, "removed");
  assert.equal(book.expired, 2);
});

Deno.test("LeaseBook keeps extending an acked message until its ack was sent", () => {
  const book = new LeaseBook();
  const [m] = messages(1);
  book.add(m!, 10_000);
  book.acking(m!);
  assert.equal(book.size, 0, "it left the window");
  assert.deepEqual(book.due(9_000, 10_000, 60_000).extend, [m]);
  book.acked(m!);
  assert.deepEqual(book.due(18_000, 10_000, 60_000).extend, []);
});
