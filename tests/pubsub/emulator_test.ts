/**
 * What the emulator does differently from Pub/Sub, as docs/operations.md says: this holds the
 * docs to what the emulator the tests use really does.
 */
import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, publishEvents, pull, release, testConfig } from "../support/pubsub.ts";
import { waitFor } from "../support/wait.ts";

integrationTest(
  "the emulator redelivers a first nack at once, not after the retry policy's backoff, as docs/operations.md says",
  async () => {
    const docs = await Deno.readTextFile(new URL("../../docs/operations.md", import.meta.url));
    assert.match(docs, /### What the emulator does differently/);
    assert.match(docs, /\*\*A first nack comes back at once\.\*\*/);
    // The retry policy users get (10 s to 600 s), not the tests' shorter one.
    const { retryMinBackoff, retryMaxBackoff } = defaults();
    const config = await testConfig({ retryMinBackoff, retryMaxBackoff });
    await createTopology(config);
    await publishEvents(config, 1);
    const first = await waitFor(async () => (await pull(config, config.subscription))[0], {
      timeoutMs: 10_000,
      what: "the event",
    });
    await release(config, config.subscription, [first.ackId]); // a nack
    const nacked = performance.now();
    const again = await waitFor(async () => (await pull(config, config.subscription))[0], {
      timeoutMs: retryMinBackoff / 2,
      what: `the nacked event before the policy's ${retryMinBackoff / 1000} s backoff`,
    });
    assert.equal(again.messageId, first.messageId);
    assert.equal(again.deliveryAttempt, 2);
    assert.ok(performance.now() - nacked < retryMinBackoff);
  },
);
