import assert from "node:assert/strict";
import type { PubSub } from "@google-cloud/pubsub";
import { fakeEvent } from "../../src/event/payload.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";

Deno.test("publishPayloads() reports the input lines whose publish failed", async () => {
  const client = {
    topic: () => ({
      publishMessage: ({ data }: { data: Uint8Array }) =>
        new TextDecoder().decode(data).includes("bad")
          ? Promise.reject(new Error("3 INVALID_ARGUMENT: refused"))
          : Promise.resolve("1"),
    }),
  } as unknown as PubSub;
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const payloads = [1, 2, 3, 4, 5].map((line) => ({
    eventID: String(line),
    data: encode(line === 2 || line === 5 ? { ...fakeEvent(), note: "bad" } : fakeEvent()),
    line,
  }));
  const report = await publishPayloads(client, "t", payloads);
  assert.equal(report.published, 3);
  assert.equal(report.failed, 2);
  assert.deepEqual(report.failedLines, [2, 5]);
  assert.match(report.firstError?.message ?? "", /INVALID_ARGUMENT/);
});
