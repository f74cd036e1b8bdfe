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

  /** The server sends `messages` (held while the call is paused). */
  deliver(messages: ReceivedProto[]): void {
    const response = { receivedMessages: messages };
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
  closed = false;

  streamingPull(): FakeCall {
    const call = new FakeCall();
    this.calls.push(call);
    return call;
  }
  acknowledge(_subscription: string, ackIds: string[]): Promise<unknown> {
    const code = this.ackFailures.shift();
    if (code !== undefined) return Promise.reject(Object.assign(new Error("ack failed"), { code }));
    this.acks.push(ackIds);
    return Promise.resolve();
  }
  modifyAckDeadline(_subscription: string, ackIds: string[], seconds: number): Promise<unknown> {
    this.modacks.push({ ackIds, seconds });
    return Promise.resolve();
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
