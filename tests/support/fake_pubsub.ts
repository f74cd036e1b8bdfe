/**
 * An in-process fake of the generated subscriber client (src/pubsub/subscriber/api.ts) for unit
 * tests of the subscriber with a fake clock: the test pushes messages into streams, ends them
 * with a code, and reads every request the subscriber sent (stream writes and RPCs).
 */
import type {
  PullCall,
  PullRequest,
  PullResponse,
  ReceivedProto,
  SubscriberApi,
} from "../../src/pubsub/subscriber/api.ts";
import type { ReceivedMessage } from "../../src/pubsub/subscriber/message.ts";
import {
  Subscriber,
  type SubscriberOptions,
  type SubscriberReport,
} from "../../src/pubsub/subscriber/subscriber.ts";

type Listener = (...args: never[]) => void;

/** One fake StreamingPull call. */
export class FakeCall implements PullCall {
  readonly writes: PullRequest[] = [];
  paused = false;
  ended = false;
  cancelled = false;
  readonly #listeners = new Map<string, Listener[]>();
  /** Responses held while paused (a real call stops reading; the server stops sending). */
  readonly #held: PullResponse[] = [];

  write(request: PullRequest): boolean {
    this.writes.push(request);
    return true;
  }
  /** The client half-closes: the server ends the stream (what was on its way came first). */
  end(): void {
    this.ended = true;
    this.#emit("end", undefined);
  }
  cancel(): void {
    this.cancelled = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    while (!this.paused && this.#held.length > 0) this.#emit("data", this.#held.shift());
  }
  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...this.#listeners.get(event) ?? [], listener]);
    return this;
  }

  /** The server sends `messages` (held while the call is paused), from an exactly-once
   * subscription when `exactlyOnce`. */
  deliver(messages: ReceivedProto[], exactlyOnce = false): void {
    const response = {
      receivedMessages: messages,
      subscriptionProperties: { exactlyOnceDeliveryEnabled: exactlyOnce },
    };
    if (this.paused) this.#held.push(response);
    else this.#emit("data", response);
  }

  /** The call fails with gRPC `code`. */
  fail(code: number, message = `code ${code}`): void {
    this.#emit("error", Object.assign(new Error(message), { code }));
  }

  #emit(event: string, value: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      (listener as (v: unknown) => void)(value);
    }
  }
}

/** The fake client: every call opened, every RPC made. */
export class FakeApi implements SubscriberApi {
  readonly calls: FakeCall[] = [];
  readonly acks: string[][] = [];
  readonly modacks: { ackIds: string[]; seconds: number }[] = [];
  /** Fails the next `acknowledge` RPCs with these codes, in order. */
  ackFailures: number[] = [];
  /**
   * Per ack ID, how its next acks or deadline changes by RPC fail (an exactly-once ErrorInfo
   * value each, e.g. `PERMANENT_FAILURE_INVALID_ACK_ID`), in order; the rest succeed.
   */
  readonly failing = new Map<string, string[]>();
  /** RPCs never answer (a hung service). */
  hang = false;
  closed = false;

  streamingPull(): FakeCall {
    const call = new FakeCall();
    this.calls.push(call);
    return call;
  }
  acknowledge(_subscription: string, ackIds: string[]): Promise<unknown> {
    if (this.hang) return new Promise(() => {});
    const code = this.ackFailures.shift();
    if (code !== undefined) return Promise.reject(Object.assign(new Error("ack failed"), { code }));
    return this.#answer(ackIds, () => this.acks.push(ackIds));
  }
  modifyAckDeadline(_subscription: string, ackIds: string[], seconds: number): Promise<unknown> {
    if (this.hang) return new Promise(() => {});
    return this.#answer(ackIds, () => this.modacks.push({ ackIds, seconds }));
  }

  /** Records the call; rejects as an exactly-once subscription does when some IDs fail. */
  #answer(ackIds: string[], record: () => void): Promise<unknown> {
    record();
    const failed: Record<string, string> = {};
    for (const id of ackIds) {
      const failure = this.failing.get(id)?.shift();
      if (failure !== undefined) failed[id] = failure;
    }
    if (Object.keys(failed).length === 0) return Promise.resolve();
    return Promise.reject(
      Object.assign(new Error("3 INVALID_ARGUMENT: Some acknowledgement ids were invalid"), {
        code: 3,
        reason: "EXACTLY_ONCE_ACKID_FAILURE",
        errorInfoMetadata: failed,
      }),
    );
  }
  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Every ack ID acked, on streams or by RPC. */
  acked(): string[] {
    return [
      ...this.acks.flat(),
      ...this.calls.flatMap((c) => c.writes.flatMap((w) => w.ackIds ?? [])),
    ];
  }

  /** Every (ack ID, seconds) deadline change, on streams or by RPC. */
  deadlines(): [string, number][] {
    return [
      ...this.modacks.flatMap((m) => m.ackIds.map((id) => [id, m.seconds] as [string, number])),
      ...this.calls.flatMap((c) =>
        c.writes.flatMap((w) =>
          (w.modifyDeadlineAckIds ?? []).map((id, i) =>
            [id, w.modifyDeadlineSeconds?.[i] ?? -1] as [string, number]
          )
        )
      ),
    ];
  }
}

let next = 0;
/** `count` messages as StreamingPull delivers them, with fresh ack IDs. */
export function protos(count: number, orderingKey = ""): ReceivedProto[] {
  return Array.from({ length: count }, () => {
    const n = next++;
    return {
      ackId: `ack-${n}`,
      deliveryAttempt: 1,
      message: {
        messageId: String(n),
        data: new TextEncoder().encode(`{"n":${n}}`),
        attributes: {},
        publishTime: { seconds: 1_700_000_000, nanos: 0 },
        orderingKey,
      },
    };
  });
}

/** Options of the subscribers the unit tests start: one stream, window 100, acks on streams. */
export const SUBSCRIBER_OPTIONS: SubscriberOptions = {
  subscription: "projects/p/subscriptions/s",
  streams: 1,
  window: 100,
  maxWaiting: 1000,
  maxBytes: 64 * 1024 * 1024,
  maxLeaseMs: 60 * 60_000,
  ackVia: "stream",
};

/**
 * A subscriber on a fresh {@linkcode FakeApi}, opened: what it hands over, what it gives up,
 * fatal errors and reports are collected; `settleGiveUps` makes the listener nack what is given up (as the
 * worker does) instead of leaving it to the subscriber.
 */
export function startSubscriber(
  options: Partial<SubscriberOptions> = {},
  { settleGiveUps = false } = {},
) {
  const api = new FakeApi();
  const received: ReceivedMessage[] = [];
  const givenUp: [ReceivedMessage, string, boolean][] = [];
  const fatal: Error[] = [];
  const reports: SubscriberReport[] = [];
  const subscriber = new Subscriber(api, { ...SUBSCRIBER_OPTIONS, ...options }, {
    message: (m) => received.push(m),
    giveUp: (m, reason, handedOver) => {
      givenUp.push([m, reason, handedOver]);
      if (settleGiveUps) void m.nack();
    },
    fatal: (e) => fatal.push(e),
    report: (r) => reports.push(r),
  });
  subscriber.open();
  return { api, subscriber, received, givenUp, fatal, reports };
}
