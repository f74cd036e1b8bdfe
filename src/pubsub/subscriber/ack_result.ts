/**
 * What became of an ack, nack or deadline change, per ack ID. On an exactly-once subscription
 * Pub/Sub answers a request in which some ack IDs failed with an error carrying a
 * `google.rpc.ErrorInfo` (reason `EXACTLY_ONCE_ACKID_FAILURE`) whose metadata maps each failed
 * ack ID to `PERMANENT_FAILURE_INVALID_ACK_ID`, another `PERMANENT_…` value or a `TRANSIENT_…`
 * one; the ack IDs it does not list succeeded (as the Java, .NET and Rust clients read it).
 * Without that metadata the status code decides for every ack ID of the request.
 */
import { GRPC } from "../grpc_codes.ts";

/** Why an ack (or nack, or deadline change) failed for good. */
export const ACK_FAILURES = [
  "invalid-ack-id",
  "permission-denied",
  "failed-precondition",
  "unconfirmed",
  "other",
] as const;
/** One of {@linkcode ACK_FAILURES}. */
export type AckFailure = typeof ACK_FAILURES[number];

/** The result of one ack ID's ack, nack or deadline change. */
export type AckResult = { readonly ok: true } | {
  readonly ok: false;
  readonly reason: AckFailure;
  /** What Pub/Sub said, in words. */
  readonly detail: string;
};

/** A success (shared: results are read-only). */
export const ACKED: AckResult = Object.freeze({ ok: true });

/** gRPC codes worth another try (the clients' list for exactly-once acks). */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.ABORTED,
  GRPC.INTERNAL,
  GRPC.UNAVAILABLE,
]);

const EXACTLY_ONCE_REASON = "EXACTLY_ONCE_ACKID_FAILURE";
const INVALID_ACK_ID = "PERMANENT_FAILURE_INVALID_ACK_ID";
const TRANSIENT_PREFIX = "TRANSIENT_";

/** A failed call, as google-gax's `GoogleError` has it (its public fields). */
interface CallError {
  code?: number;
  message?: string;
  reason?: string;
  errorInfoMetadata?: Record<string, string>;
}

/** How one call's ack IDs came out. */
export interface Sorted {
  /** Succeeded. */
  ok: string[];
  /** Failed for now: worth another try. */
  retry: string[];
  /** Failed for good. */
  failed: Map<string, AckResult>;
}

/** Sorts `ackIds` by the outcome of the call that sent them (`error` undefined: it succeeded). */
export function sortResults(ackIds: readonly string[], error: unknown): Sorted {
  const sorted: Sorted = { ok: [], retry: [], failed: new Map() };
  if (error === undefined) {
    sorted.ok = [...ackIds];
    return sorted;
  }
  const e = (error ?? {}) as CallError;
  const detail = e.message ?? String(error);
  const perId = e.reason === EXACTLY_ONCE_REASON ? e.errorInfoMetadata : undefined;
  for (const ackId of ackIds) {
    const value = perId?.[ackId];
    if (perId !== undefined && value === undefined) sorted.ok.push(ackId);
    else if (value !== undefined) {
      if (value.startsWith(TRANSIENT_PREFIX)) sorted.retry.push(ackId);
      else {
        const reason = value === INVALID_ACK_ID ? "invalid-ack-id" : "other";
        sorted.failed.set(ackId, { ok: false, reason, detail: `${value}: ${detail}` });
      }
    } else if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) sorted.retry.push(ackId);
    else sorted.failed.set(ackId, { ok: false, reason: reasonOf(e.code), detail });
  }
  return sorted;
}

function reasonOf(code: number | undefined): AckFailure {
  if (code === GRPC.PERMISSION_DENIED) return "permission-denied";
  if (code === GRPC.FAILED_PRECONDITION) return "failed-precondition";
  return "other";
}
