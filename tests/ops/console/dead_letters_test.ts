import assert from "node:assert/strict";
import { DeadLetterTab } from "../../../src/ops/console/dead_letters.ts";
import { createClient } from "../../../src/pubsub/client.ts";
import { fakeConfig, fakeTest, fakeTopology } from "../../support/fake_server.ts";

/** Asks `tab` to requeue `body`; resolves with the status, the answer and the audit lines. */
async function requeue(tab: DeadLetterTab, body: unknown) {
  const audit: string[] = [];
  const request = new Request("http://127.0.0.1:9464/console/api/dead-letters/requeue", {
    method: "POST",
    body: JSON.stringify(body),
  });
  const response = await tab.requeue(
    { request, url: new URL(request.url), remote: "127.0.0.1" },
    (message) => void audit.push(message),
  );
  return { status: response.status, data: await response.json(), audit };
}

fakeTest(
  "DeadLetterTab: a requeue names one selection and the count confirmed, or is refused (400)",
  async (fake) => {
    const config = fakeConfig(fake);
    await fakeTopology(config);
    fake.publish(config.deadLetterTopic, [
      { data: "{}", attributes: { reason: "rejected", messageId: "1" } },
      { data: "{}", attributes: { reason: "invalid-json", messageId: "2" } },
    ]);
    const client = createClient(config);
    const pushed: unknown[] = [];
    const tab = new DeadLetterTab(client, config, (_event, data) => void pushed.push(data));
    try {
      for (
        const [body, error] of [
          [{ all: true }, /^expect: got undefined, expected the count the confirmation showed/],
          [{ all: true, expect: 0 }, /^expect: got 0/],
          [{ reason: "rejected", all: true, expect: 1 }, /^expected exactly one of messageIds/],
          [{ expect: 1 }, /^expected exactly one of messageIds/],
          [{ all: "yes", expect: 1 }, /^all: got "yes", expected true$/],
          [{ messageIds: [], expect: 1 }, /^messageIds: expected a list of 1 to 1000/],
          [{ reason: "", expect: 1 }, /^reason: got "", expected a reason's name$/],
        ] as const
      ) {
        const answer = await requeue(tab, body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(answer.data.error, error);
        assert.deepEqual(answer.audit, [], "nothing done, nothing logged as done");
      }
      const view = await (await tab.view(new URL("http://h/console/api/dead-letters"))).json();
      assert.deepEqual(view.byReason, [["invalid-json", 1], ["rejected", 1]]);
      assert.equal(view.entries.length, 2);
      const done = await requeue(tab, { reason: "rejected", expect: 1 });
      assert.equal(done.status, 200);
      assert.deepEqual(
        { requeued: done.data.requeued, remaining: done.data.remaining },
        { requeued: 1, remaining: 1 },
      );
      assert.deepEqual(done.audit, [
        "requeued {requeued} of {matched} dead letters ({what}) to {topic}",
      ]);
      assert.deepEqual(pushed.at(-1), { done: 0, total: 0, ended: true });
      assert.deepEqual(pushed.slice(0, 2), [{ done: 0, total: 1 }, { done: 1, total: 1 }]);
    } finally {
      await client.close();
    }
  },
);
