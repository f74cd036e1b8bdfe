/**
 * Case fake e, request limits: 10,000 events held at once (pool and window 10,000) by a handler
 * module that lets them all finish together once the last has arrived, so their 10,000 outcome
 * lines are written in one go and their 10,000 acks leave in one flush. Pub/Sub refuses a request with more than 2,500 ack IDs or over 512 KiB, and the fake's
 * ack IDs are as long as the service's longest (164 bytes): every request the server recorded
 * must be within both, none refused, every event acked once.
 */
import assert from "node:assert/strict";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";
import { MAX_ACK_IDS, MAX_REQUEST_BYTES } from "../fake_pubsub/limits.ts";

const EVENTS = 10_000;
/** The handler: every call waits until EVENTS calls wait, then all return at once. */
const HANDLER = `const waiting = [];
export default function hold() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length >= ${EVENTS}) for (const done of waiting.splice(0)) done();
  });
}
`;

fakeTest(
  "reliability (fake e): one flush of 10,000 acks: every request within 2,500 ack IDs and 512 KiB",
  async (fake) => {
    const handler = await Deno.makeTempFile({ suffix: ".js" });
    await Deno.writeTextFile(handler, HANDLER);
    const args = [
      "--pool-size",
      `${EVENTS}`,
      "--max-outstanding",
      `${EVENTS}`,
      "--handler",
      handler,
    ];
    try {
      await withFakeCase(fake, { events: EVENTS, args }, async (run) => {
        await run.allAcked(90_000);
        assert.deepEqual(await run.stop(), [0]);

        const requests = fake.record.calls.filter((c) => c.ackIds + c.modacks > 0);
        const most = Math.max(...requests.map((c) => Math.max(c.ackIds, c.modacks)));
        const largest = Math.max(...requests.map((c) => c.bytes));
        const refused = requests.filter((c) => c.code !== 0);
        const ackRequests = requests.filter((c) => c.ackIds > 0);
        const server = run.server();
        assert.deepEqual(refused, [], "requests refused");
        assert.ok(most <= MAX_ACK_IDS, `${most} ack IDs in one request`);
        assert.ok(largest <= MAX_REQUEST_BYTES, `${largest} bytes in one request`);
        assert.equal(server.acked.size, EVENTS);
        assert.ok([...server.acked.values()].every((n) => n === 1));
        await run.report({
          case: "fake e. one flush of 10,000 acks",
          injected: "10,000 events held at once (pool and window 10,000), their handlers ending " +
            "together; 164-byte ack IDs",
          processed: server.acked.size,
          duplicates: 0,
          deadLettered: 0,
          lost: EVENTS - server.acked.size,
          notes: `${ackRequests.length} ack requests, ${requests.length} ack/deadline requests ` +
            `in all; the largest ${Math.round(largest / 1024)} KiB, the most ack IDs ${most}; ` +
            "none refused",
        });
      });
    } finally {
      await Deno.remove(handler);
    }
  },
);
