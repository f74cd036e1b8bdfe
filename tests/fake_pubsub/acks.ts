/**
 * Acks and deadline changes applied to a subscription, the same whether they come on a stream or
 * by RPC, and the answer the service gives an exactly-once subscription when some of them fail:
 * INVALID_ARGUMENT with a google.rpc.ErrorInfo (reason `EXACTLY_ONCE_ACKID_FAILURE`) whose
 * metadata maps each failed ack ID to `PERMANENT_FAILURE_INVALID_ACK_ID` or a
 * `TRANSIENT_FAILURE_…` value; the ack IDs it does not list succeeded.
 */
import { CODE, errorWithInfo, type GrpcError } from "./protos.ts";
import type { IdResult, Subscription } from "./subscription.ts";

/** What became of each ack ID of one request. */
export interface Applied {
  ok: string[];
  invalid: string[];
  transient: string[];
  malformed: string[];
}

/** The ErrorInfo values of the failures. */
export const PERMANENT_INVALID = "PERMANENT_FAILURE_INVALID_ACK_ID";
export const TRANSIENT_UNORDERED = "TRANSIENT_FAILURE_UNORDERED_ACK_ID";
export const EXACTLY_ONCE_REASON = "EXACTLY_ONCE_ACKID_FAILURE";

function sort(results: [string, IdResult][]): Applied {
  const applied: Applied = { ok: [], invalid: [], transient: [], malformed: [] };
  for (const [id, result] of results) applied[result].push(id);
  return applied;
}

/** Acks `ackIds` at `now`. */
export function applyAcks(
  subscription: Subscription,
  ackIds: readonly string[],
  now: number,
  via: "stream" | "rpc",
): Applied {
  return sort(ackIds.map((id) => [id, subscription.ack(id, now, via)]));
}

/** Sets each of `ackIds` to its `seconds` (0: nack) at `now`. */
export function applyDeadlines(
  subscription: Subscription,
  ackIds: readonly string[],
  seconds: readonly number[],
  now: number,
  via: "stream" | "rpc",
): Applied {
  return sort(ackIds.map((id, i) => [id, subscription.modify(id, seconds[i] ?? 0, now, via)]));
}

/** The ErrorInfo metadata of the failed ack IDs (empty when none failed). */
export function failuresOf(applied: Applied): Record<string, string> {
  const failed: Record<string, string> = {};
  for (const id of applied.invalid) failed[id] = PERMANENT_INVALID;
  for (const id of applied.transient) failed[id] = TRANSIENT_UNORDERED;
  return failed;
}

/** The error an exactly-once subscription answers when `failed` is not empty. */
export function exactlyOnceError(failed: Record<string, string>): GrpcError {
  return errorWithInfo(
    CODE.INVALID_ARGUMENT,
    "Some acknowledgement ids in the request were invalid. This could be because the " +
      "acknowledgement ids have expired or the acknowledgement ids were malformed.",
    { reason: EXACTLY_ONCE_REASON, domain: "pubsub.googleapis.com", metadata: failed },
  );
}

/** The error for ack IDs the server never issued. */
export function malformedError(ids: readonly string[]): GrpcError {
  return {
    code: CODE.INVALID_ARGUMENT,
    details: `Some acknowledgement ids in the request were malformed: ${
      ids.slice(0, 3).join(", ")
    }`,
  };
}
