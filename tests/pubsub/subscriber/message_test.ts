/** ReceivedMessage: its content, one settle, the waiting flag told to its owner once per change. */
import assert from "node:assert/strict";
import type { AckResult } from "../../../src/pubsub/subscriber/ack_result.ts";
import { type LeaseOwner, ReceivedMessage } from "../../../src/pubsub/subscriber/message.ts";
import { protos } from "../../support/fake_pubsub.ts";

function owner() {
  const settled: boolean[] = [];
  const waits: boolean[] = [];
  const lease: LeaseOwner = {
    settle: (_, ack, done: (r: AckResult) => void) => {
      settled.push(ack);
      done({ ok: true });
    },
    waiting: (_, waiting) => waits.push(waiting),
  };
  return { settled, waits, lease };
}

Deno.test("ReceivedMessage reads its proto: IDs, data, key, attempt, publish time", () => {
  const proto = protos(1, "k")[0]!;
  const message = new ReceivedMessage(proto, 2, 1234, owner().lease);
  assert.equal(message.ackId, proto.ackId);
  assert.equal(message.id, proto.message?.messageId);
  assert.equal(message.messageId, message.id);
  assert.equal(message.orderingKey, "k");
  assert.equal(message.deliveryAttempt, 1);
  assert.equal(message.stream, 2);
  assert.equal(message.receivedAt, 1234);
  assert.equal(message.publishTime.toISOString(), "2023-11-14T22:13:20.000Z");
  assert.equal(
    new TextDecoder().decode(message.data),
    new TextDecoder().decode(proto.message?.data as Uint8Array),
  );
});

Deno.test("ReceivedMessage settles once: a second ack or nack does nothing and says so", async () => {
  const { settled, lease } = owner();
  const message = new ReceivedMessage(protos(1)[0]!, 0, 0, lease);
  assert.deepEqual(await message.ack(), { ok: true });
  const again = await message.nack();
  assert.equal(again.ok, false);
  assert.deepEqual(settled, [true], "the owner heard one settle");
  assert.equal(message.settled, true);
});

Deno.test("ReceivedMessage tells its owner when it starts and stops waiting, not once settled", async () => {
  const { waits, lease } = owner();
  const message = new ReceivedMessage(protos(1)[0]!, 0, 0, lease);
  message.wait(true);
  message.wait(true);
  message.wait(false);
  message.wait(true);
  await message.nack();
  message.wait(false);
  assert.deepEqual(waits, [true, false, true]);
});
