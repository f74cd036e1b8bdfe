/** sortResults(): each ack ID's result from one call's error, as Pub/Sub reports it. */
import assert from "node:assert/strict";
import { ACKED, type AckResult, sortResults } from "../../../src/pubsub/subscriber/ack_result.ts";
import { GRPC } from "../../../src/pubsub/grpc_codes.ts";

/** The reason of a failed result; undefined for a success or none. */
const reasonOf = (result: AckResult | undefined) =>
  result?.ok === false ? result.reason : undefined;

Deno.test("sortResults() gives every ack ID of a call that succeeded ok", () => {
  assert.deepEqual(sortResults(["a", "b"], undefined), {
    ok: ["a", "b"],
    retry: [],
    failed: new Map(),
  });
  assert.equal(ACKED.ok, true);
});

Deno.test("sortResults() reads an exactly-once failure per ack ID: unlisted ones succeeded", () => {
  const error = Object.assign(new Error("some failed"), {
    code: GRPC.INVALID_ARGUMENT,
    reason: "EXACTLY_ONCE_ACKID_FAILURE",
    errorInfoMetadata: {
      a: "PERMANENT_FAILURE_INVALID_ACK_ID",
      b: "TRANSIENT_FAILURE_UNORDERED_ACK_ID",
      c: "PERMANENT_FAILURE_OTHER",
    },
  });
  const sorted = sortResults(["a", "b", "c", "d"], error);
  assert.deepEqual(sorted.ok, ["d"]);
  assert.deepEqual(sorted.retry, ["b"]);
  assert.deepEqual(sorted.failed.get("a"), {
    ok: false,
    reason: "invalid-ack-id",
    detail: "PERMANENT_FAILURE_INVALID_ACK_ID: some failed",
  });
  assert.equal(reasonOf(sorted.failed.get("c")), "other");
});

Deno.test("sortResults() without per-ID answers: the status code decides for every ack ID", () => {
  const transient = sortResults(
    ["a"],
    Object.assign(new Error("down"), { code: GRPC.UNAVAILABLE }),
  );
  assert.deepEqual(transient.retry, ["a"]);
  const denied = sortResults(
    ["a"],
    Object.assign(new Error("no"), { code: GRPC.PERMISSION_DENIED }),
  );
  assert.deepEqual(denied.failed.get("a"), {
    ok: false,
    reason: "permission-denied",
    detail: "no",
  });
  const precondition = sortResults(["a"], { code: GRPC.FAILED_PRECONDITION, message: "gone" });
  assert.equal(reasonOf(precondition.failed.get("a")), "failed-precondition");
  const odd = sortResults(["a"], "not an error");
  assert.deepEqual(odd.failed.get("a"), { ok: false, reason: "other", detail: "not an error" });
});
