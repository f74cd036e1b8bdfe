/**
 * StreamingPull on the fake: the first request opens the stream (subscription, ack deadline,
 * flow control, which only the first request may set); the server then sends what the
 * subscription has while the stream holds fewer than its `maxOutstandingMessages` and
 * `maxOutstandingBytes` (acks and nacks free room, deadline changes do not) and while the client
 * reads (HTTP/2 flow control); later requests ack, change deadlines (malformed ones abort the
 * stream), and change the stream's ack deadline. Every response says whether the subscription
 * has exactly-once delivery and ordering; on an exactly-once subscription the server confirms
 * each request's acks and deadline changes. A half-close ends the stream; deliveries it held
 * keep their deadlines.
 */
import type * as grpc from "@grpc/grpc-js";
import { applyAcks, applyDeadlines, failuresOf, malformedError } from "./acks.ts";
import type { Faults } from "./faults.ts";
import { checkAckRequest, checkStreamDeadline } from "./limits.ts";
import { CODE, type GrpcError, grpcError } from "./protos.ts";
import type { ServerRecord } from "./record.ts";
import type { Delivery, Holder, Subscription } from "./subscription.ts";
import { sizeOf } from "./wire.ts";

/** A StreamingPull request, as proto-loader decodes it. */
export interface StreamRequest {
  subscription?: string;
  ackIds?: string[];
  modifyDeadlineSeconds?: number[];
  modifyDeadlineAckIds?: string[];
  streamAckDeadlineSeconds?: number;
  clientId?: string;
  maxOutstandingMessages?: string | number;
  maxOutstandingBytes?: string | number;
}

/** What a stream needs of the server. */
export interface Hub {
  now(): number;
  readonly record: ServerRecord;
  readonly faults: Faults;
  subscription(name: string): Subscription | undefined;
  /** Delivers what `subscription` has to its streams. */
  pump(subscription: Subscription): void;
  readonly streams: Set<FakeStream>;
  /** The response carrying `deliveries` (messages and subscription properties). */
  response(subscription: Subscription, deliveries: Delivery[]): unknown;
}

type Call = grpc.ServerDuplexStream<StreamRequest, unknown>;

let nextId = 0;

/** One open StreamingPull stream. */
export class FakeStream implements Holder {
  readonly id = nextId++;
  readonly subscription: Subscription;
  outstanding = 0;
  outstandingBytes = 0;
  deadlineSeconds: number;
  /** Messages sent on it so far. */
  sent = 0;
  closed = false;
  /** Decided to end: sends and reads nothing more. */
  ending = false;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #hub: Hub;
  readonly #call: Call;
  #blocked = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(hub: Hub, call: Call, subscription: Subscription, first: StreamRequest) {
    this.#hub = hub;
    this.#call = call;
    this.subscription = subscription;
    this.deadlineSeconds = Number(first.streamAckDeadlineSeconds);
    this.#maxMessages = Number(first.maxOutstandingMessages ?? 0);
    this.#maxBytes = Number(first.maxOutstandingBytes ?? 0);
    const afterMs = hub.faults.options.endStreamAfterMs;
    if (afterMs !== undefined) this.#timer = setTimeout(() => this.endAsPlanned(), afterMs);
  }

  /** Whether it may be sent another message (one message may overshoot the byte limit). */
  hasRoom(): boolean {
    return (this.#maxMessages <= 0 || this.outstanding < this.#maxMessages) &&
      (this.#maxBytes <= 0 || this.outstandingBytes < this.#maxBytes);
  }

  /** How many more messages it may be sent before it is ended (the fault), or Infinity. */
  get left(): number {
    if (this.closed || this.ending || this.#blocked || this.#hub.faults.hanging) return 0;
    const limit = this.#hub.faults.options.endStreamAfterMessages;
    return limit === undefined ? Infinity : limit - this.sent;
  }

  /** Sends `deliveries` in one response; ends the stream if that was its last allowance. */
  send(deliveries: Delivery[]): void {
    if (deliveries.length === 0) return;
    this.sent += deliveries.length;
    this.#write(this.#hub.response(this.subscription, deliveries));
    if (this.left <= 0 && this.#hub.faults.options.endStreamAfterMessages !== undefined) {
      this.endAsPlanned();
    }
  }

  /** A later request: acks, deadline changes, a new stream ack deadline. */
  request(request: StreamRequest): void {
    const hub = this.#hub;
    const ackIds = request.ackIds ?? [];
    const ids = request.modifyDeadlineAckIds ?? [];
    const seconds = (request.modifyDeadlineSeconds ?? []).map(Number);
    const bytes = sizeOf(request);
    const call = hub.record.call({
      method: "StreamingPull.write",
      stream: this.id,
      bytes,
      ackIds: ackIds.length,
      modacks: ids.length,
      code: 0,
    });
    if (this.ending) call.dropped = true;
    if (this.closed || this.ending || hub.faults.hanging) return; // nothing read, nothing applied
    const bad = firstOnly(request) ?? checkAckRequest(bytes, ackIds.length, seconds, ids.length) ??
      (request.streamAckDeadlineSeconds
        ? checkStreamDeadline(Number(request.streamAckDeadlineSeconds))
        : undefined);
    if (bad) {
      call.code = bad.code;
      return this.end(bad);
    }
    if (request.streamAckDeadlineSeconds) {
      this.deadlineSeconds = Number(request.streamAckDeadlineSeconds);
    }
    if (ackIds.length === 0 && ids.length === 0) return;
    const apply = () => {
      if (this.closed || this.ending) return; // what arrives after the end is not read
      const now = hub.now();
      const acked = applyAcks(this.subscription, ackIds, now, "stream");
      const changed = applyDeadlines(this.subscription, ids, seconds, now, "stream");
      const failed = { ...failuresOf(acked), ...failuresOf(changed) };
      if (Object.keys(failed).length > 0) call.failed = failed;
      if (this.subscription.settings.exactlyOnce) this.#confirm(acked, changed);
      const malformed = [...acked.malformed, ...changed.malformed];
      if (malformed.length > 0) {
        call.code = CODE.INVALID_ARGUMENT;
        this.end(malformedError(malformed));
      }
      hub.pump(this.subscription);
    };
    const delay = hub.faults.options.ackDelayMs ?? 0;
    if (delay > 0 && ackIds.length > 0) setTimeout(apply, delay);
    else apply();
  }

  /**
   * Ends the stream as the service does now and then (the fault's code, UNAVAILABLE), after the
   * linger during which it neither sends nor reads.
   */
  endAsPlanned(): void {
    if (this.closed || this.ending) return;
    const options = this.#hub.faults.options;
    const status = grpcError(
      options.endStreamCode ?? CODE.UNAVAILABLE,
      "The service was unable to fulfill your request. Please try again.",
    );
    const linger = options.endStreamLingerMs ?? 100;
    if (linger <= 0) return this.end(status);
    this.ending = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.end(status), linger);
  }

  /** Ends the stream with `status` (OK: a plain end). Deliveries it held keep their deadlines. */
  end(status: GrpcError): void {
    if (this.closed) return;
    this.#close();
    if (status.code === CODE.OK) this.#call.end();
    else this.#call.emit("error", status);
  }

  /** The client went away (cancelled, or the connection broke). */
  gone(): void {
    if (!this.closed) this.#close();
  }

  #close(): void {
    this.closed = true;
    clearTimeout(this.#timer);
    this.#hub.streams.delete(this);
    this.#hub.pump(this.subscription); // others may take what it can no longer
  }

  #confirm(acked: ReturnType<typeof applyAcks>, changed: ReturnType<typeof applyDeadlines>) {
    const properties = subscriptionProperties(this.subscription);
    if (acked.ok.length + acked.invalid.length + acked.transient.length > 0) {
      this.#write({
        acknowledgeConfirmation: {
          ackIds: acked.ok,
          invalidAckIds: acked.invalid,
          temporaryFailedAckIds: acked.transient,
        },
        subscriptionProperties: properties,
      });
    }
    if (changed.ok.length + changed.invalid.length + changed.transient.length > 0) {
      this.#write({
        modifyAckDeadlineConfirmation: {
          ackIds: changed.ok,
          invalidAckIds: changed.invalid,
          temporaryFailedAckIds: changed.transient,
        },
        subscriptionProperties: properties,
      });
    }
  }

  /** Writes `response`; while the client does not read, sends nothing more (HTTP/2). */
  #write(response: unknown): void {
    if (this.closed) return;
    if (this.#call.write(response)) return;
    this.#blocked = true;
    this.#call.once("drain", () => {
      this.#blocked = false;
      this.#hub.pump(this.subscription);
    });
  }
}

/** The subscription properties every response carries. */
export function subscriptionProperties(subscription: Subscription) {
  return {
    exactlyOnceDeliveryEnabled: subscription.settings.exactlyOnce,
    messageOrderingEnabled: subscription.settings.ordering,
  };
}

/** What a later request may not set. */
function firstOnly(request: StreamRequest): GrpcError | undefined {
  const set = [
    request.subscription ? "subscription" : "",
    request.clientId ? "client_id" : "",
    Number(request.maxOutstandingMessages ?? 0) !== 0 ? "max_outstanding_messages" : "",
    Number(request.maxOutstandingBytes ?? 0) !== 0 ? "max_outstanding_bytes" : "",
  ].filter(Boolean);
  if (set.length === 0) return undefined;
  return grpcError(
    CODE.INVALID_ARGUMENT,
    `${set.join(", ")} may only be set on the initial StreamingPullRequest.`,
  );
}

/** Serves one StreamingPull call. */
export function streamingPull(hub: Hub, call: Call): void {
  let stream: FakeStream | undefined;
  let refused = false;
  call.on("data", (request: StreamRequest) => {
    if (refused) return;
    if (stream) return stream.request(request);
    const now = hub.now();
    const record = hub.record.call({
      method: "StreamingPull",
      bytes: sizeOf(request),
      ackIds: request.ackIds?.length ?? 0,
      modacks: request.modifyDeadlineAckIds?.length ?? 0,
      code: 0,
    });
    const refuse = (error: GrpcError) => {
      refused = true;
      record.code = error.code;
      call.emit("error", error);
    };
    if (hub.faults.hanging) return void (refused = true); // never answered
    if (hub.faults.takeUnavailable(now)) {
      return refuse(grpcError(CODE.UNAVAILABLE, "The service is currently unavailable."));
    }
    const subscription = hub.subscription(request.subscription ?? "");
    if (subscription === undefined) {
      return refuse(
        grpcError(CODE.NOT_FOUND, `Resource not found (resource=${request.subscription}).`),
      );
    }
    const bad = checkStreamDeadline(Number(request.streamAckDeadlineSeconds ?? 0));
    if (bad) return refuse(bad);
    stream = new FakeStream(hub, call, subscription, request);
    record.stream = stream.id;
    hub.streams.add(stream);
    if ((request.ackIds?.length ?? 0) + (request.modifyDeadlineAckIds?.length ?? 0) > 0) {
      stream.request({
        ...request,
        subscription: "",
        clientId: "",
        maxOutstandingMessages: 0,
        maxOutstandingBytes: 0,
      });
    }
    hub.pump(subscription);
  });
  // The client half-closed: the server ends the stream.
  call.on("end", () => stream ? stream.end({ code: CODE.OK, details: "OK" }) : call.end());
  call.on("cancelled", () => stream?.gone());
  call.on("error", () => stream?.gone());
}
