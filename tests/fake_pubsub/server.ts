/**
 * A fake Pub/Sub server for tests: a real gRPC server (grpc-js) on a free local port that the
 * unmodified tool reaches through `PUBSUB_EMULATOR_HOST`, speaking the protocol of the package's
 * own protos and as strict as the service documents (see subscription.ts, streams.ts,
 * limits.ts), with faults on demand (faults.ts) and a record of every call and delivery
 * (record.ts). Its clock is the test's: `advance()` moves it, so deadlines can pass at once.
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { created, isError, settingsOf, type SubscriptionProto, updated } from "./admin.ts";
import { type FaultOptions, Faults } from "./faults.ts";
import { MAX_MESSAGE_BYTES } from "./limits.ts";
import { CODE, grpcError, pubsubServices } from "./protos.ts";
import { ServerRecord } from "./record.ts";
import { fail, publisherMethods, subscriberMethods } from "./service.ts";
import { type FakeStream, type Hub, streamingPull, subscriptionProperties } from "./streams.ts";
import { type Delivery, type FakeMessage, PULL, Subscription } from "./subscription.ts";
import { measured } from "./wire.ts";

/** Options for {@linkcode FakePubSub.start}. */
export interface FakeServerOptions {
  faults?: FaultOptions;
  /** The project of short names given to the helpers. Default `local-project`. */
  project?: string;
  /** How often deadlines are checked and deliveries made. Default 50 ms. */
  tickMs?: number;
}

/** Messages in one StreamingPull response at most. */
const MAX_PER_RESPONSE = 1000;
const encoder = new TextEncoder();

/** A running fake server. */
export class FakePubSub implements Hub {
  readonly host: string;
  readonly record: ServerRecord;
  readonly faults: Faults;
  readonly streams = new Set<FakeStream>();
  readonly project: string;
  readonly #server: grpc.Server;
  readonly #topics = new Map<string, Set<string>>();
  readonly #subscriptions = new Map<string, { state: Subscription; proto: SubscriptionProto }>();
  readonly #started = performance.now();
  readonly #ticker: ReturnType<typeof setInterval>;
  #offset = 0;
  #messageSeq = 0;
  #subscriptionSeq = 0;

  private constructor(server: grpc.Server, port: number, options: FakeServerOptions) {
    this.#server = server;
    this.host = `127.0.0.1:${port}`;
    this.project = options.project ?? "local-project";
    this.faults = new Faults(options.faults);
    this.record = new ServerRecord(() => this.now());
    this.#ticker = setInterval(() => this.#tick(), options.tickMs ?? 50);
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: FakeServerOptions = {}): Promise<FakePubSub> {
    // Requests up to Publish's 10 MB limit reach the fake's own checks (grpc-js stops at 4 MiB).
    const server = new grpc.Server({ "grpc.max_receive_message_length": 16 * 1024 * 1024 });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (error, port) => error ? reject(error) : resolve(port),
      )
    );
    const fake = new FakePubSub(server, port, options);
    const { publisher, subscriber } = pubsubServices();
    server.addService(measured(publisher), publisherMethods(fake));
    server.addService(measured(subscriber), {
      ...subscriberMethods(fake),
      streamingPull: ((call: grpc.ServerDuplexStream<never, unknown>) =>
        streamingPull(fake, call)) as grpc.handleBidiStreamingCall<never, unknown>,
    });
    return fake;
  }

  /** The server clock: ms since start, plus whatever {@linkcode advance} added. */
  now(): number {
    return performance.now() - this.#started + this.#offset;
  }

  /** Moves the server clock `ms` ahead: deadlines that pass expire now. */
  advance(ms: number): void {
    this.#offset += ms;
    this.#tick();
  }

  /** `projects/<project>/<kind>/<name>`, unless `name` is one already. */
  name(kind: "topics" | "subscriptions", name: string): string {
    return name.startsWith("projects/") ? name : `projects/${this.project}/${kind}/${name}`;
  }

  createTopic(name: string): { name: string } {
    const full = this.name("topics", name);
    if (this.#topics.has(full)) fail(grpcError(CODE.ALREADY_EXISTS, "Topic already exists"));
    this.#topics.set(full, new Set());
    return { name: full };
  }

  topicOrFail(name: string): { name: string } {
    const full = this.name("topics", name);
    if (!this.#topics.has(full)) {
      fail(grpcError(CODE.NOT_FOUND, `Resource not found (resource=${name}).`));
    }
    return { name: full };
  }

  deleteTopic(name: string): Record<never, never> {
    const full = this.topicOrFail(name).name;
    for (const sub of this.#topics.get(full) ?? []) {
      const entry = this.#subscriptions.get(sub);
      if (entry) entry.proto.topic = "_deleted-topic_";
    }
    this.#topics.delete(full);
    return {};
  }

  subscriptionsOf(topic: string): string[] {
    return [...this.#topics.get(this.topicOrFail(topic).name) ?? []];
  }

  createSubscription(request: Record<string, unknown>): SubscriptionProto {
    const name = this.name("subscriptions", String(request.name ?? ""));
    const topic = this.name("topics", String(request.topic ?? ""));
    if (this.#subscriptions.has(name)) {
      fail(grpcError(CODE.ALREADY_EXISTS, "Subscription already exists"));
    }
    this.topicOrFail(topic);
    const proto = created({ ...request, name, topic } as SubscriptionProto);
    if (isError(proto)) fail(proto);
    const state = new Subscription(
      settingsOf(proto),
      this.#subscriptionSeq++,
      this.record,
      this.faults,
    );
    this.#subscriptions.set(name, { state, proto });
    this.#topics.get(topic)!.add(name);
    return proto;
  }

  updateSubscription(update: { name: string }, paths: readonly string[]): SubscriptionProto {
    const entry = this.#entry(update.name);
    if (paths.includes("enable_message_ordering")) {
      fail(grpcError(CODE.INVALID_ARGUMENT, "enable_message_ordering cannot be updated."));
    }
    const proto = updated(entry.proto, update as SubscriptionProto, paths);
    if (isError(proto)) fail(proto);
    entry.proto = proto;
    Object.assign(entry.state.settings, settingsOf(proto));
    return proto;
  }

  deleteSubscription(name: string): void {
    const entry = this.#entry(name);
    this.#subscriptions.delete(entry.proto.name);
    this.#topics.get(entry.proto.topic)?.delete(entry.proto.name);
    for (const stream of [...this.streams]) {
      if (stream.subscription === entry.state) {
        stream.end(grpcError(CODE.NOT_FOUND, `Resource not found (resource=${name}).`));
      }
    }
  }

  /** The subscription `name`, if it exists. */
  subscription(name: string): Subscription | undefined {
    return this.#subscriptions.get(this.name("subscriptions", name))?.state;
  }

  subscriptionOrFail(name: string): Subscription {
    return this.#entry(name).state;
  }

  /** The subscription's resource, as GetSubscription returns it. */
  protoOf(name: string): SubscriptionProto {
    return this.#entry(name).proto;
  }

  /** Publishes `messages` to `topic` (what Publish does); returns their IDs. */
  publish(
    topic: string,
    messages: readonly {
      data?: Uint8Array | string;
      attributes?: Record<string, string>;
      orderingKey?: string;
    }[],
  ): string[] {
    const full = this.topicOrFail(topic).name;
    const publishTime = Date.now();
    const made = messages.map((m): FakeMessage => {
      const data = typeof m.data === "string" ? encoder.encode(m.data) : m.data ?? new Uint8Array();
      const attributes = m.attributes ?? {};
      const orderingKey = m.orderingKey ?? "";
      const bytes = data.byteLength + orderingKey.length +
        Object.entries(attributes).reduce((n, [k, v]) => n + k.length + v.length, 0);
      if (bytes > MAX_MESSAGE_BYTES) {
        fail(
          grpcError(CODE.INVALID_ARGUMENT, `Message is larger than ${MAX_MESSAGE_BYTES} bytes.`),
        );
      }
      return { id: String(++this.#messageSeq), data, attributes, orderingKey, publishTime, bytes };
    });
    for (const name of this.#topics.get(full) ?? []) {
      const state = this.#subscriptions.get(name)!.state;
      for (const message of made) state.enqueue(message);
      this.pump(state);
    }
    return made.map((m) => m.id);
  }

  /** Pull: up to `max` messages, leased for the subscription's ack deadline. */
  async pull(name: string, max: number, immediately: boolean): Promise<unknown> {
    const state = this.subscriptionOrFail(name);
    const take = () => {
      const taken: Delivery[] = [];
      for (
        let d;
        taken.length < max && (d = this.#take(state, PULL, state.settings.ackDeadlineSeconds));
      ) {
        taken.push(d);
      }
      return taken;
    };
    let taken = take();
    for (let waited = 0; taken.length === 0 && !immediately && waited < 1000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      taken = take();
    }
    return { receivedMessages: taken.map((d) => this.#received(state, d)) };
  }

  /** Delivers what `subscription` has to its streams, round robin, within their flow control. */
  pump(subscription: Subscription): void {
    if (this.faults.hanging) return;
    let open = [...this.streams].filter((s) => s.subscription === subscription && s.left > 0);
    const batches = new Map<FakeStream, Delivery[]>();
    while (open.length > 0 && subscription.pending(this.now()) > 0) {
      const next: FakeStream[] = [];
      for (const stream of open) {
        const batch = batches.get(stream) ?? [];
        if (batch.length >= Math.min(stream.left, MAX_PER_RESPONSE) || !stream.hasRoom()) continue;
        const delivery = this.#take(
          subscription,
          stream,
          stream.deadlineSeconds,
          () => stream.hasRoom(),
        );
        if (delivery === undefined) continue;
        batch.push(delivery);
        batches.set(stream, batch);
        next.push(stream);
      }
      open = next;
    }
    for (const [stream, batch] of batches) stream.send(batch);
  }

  /** A StreamingPull response carrying `deliveries`. */
  response(subscription: Subscription, deliveries: Delivery[]): unknown {
    return {
      receivedMessages: deliveries.map((d) => this.#received(subscription, d)),
      subscriptionProperties: subscriptionProperties(subscription),
    };
  }

  /** Ends every open stream now (as the service does now and then). */
  endStreams(): void {
    for (const stream of [...this.streams]) stream.endAsPlanned();
  }

  /** Every call fails with UNAVAILABLE for `ms`; open streams end with it now. */
  unavailableFor(ms: number): void {
    this.faults.unavailableUntil(this.now() + ms);
    for (const stream of [...this.streams]) {
      stream.end(grpcError(CODE.UNAVAILABLE, "The service is currently unavailable."));
    }
  }

  /** Stops the server: open calls are cancelled. */
  async close(): Promise<void> {
    clearInterval(this.#ticker);
    for (const stream of [...this.streams]) stream.gone();
    this.#server.forceShutdown();
    await Promise.resolve();
  }

  #take(
    subscription: Subscription,
    holder: FakeStream | typeof PULL,
    seconds: number,
    fits: () => boolean = () => true,
  ): Delivery | undefined {
    return subscription.take(this.now(), holder, seconds, fits, (message, attempts) => {
      const letter = subscription.settings.deadLetter;
      if (letter === undefined || !this.#topics.has(letter.topic)) return;
      this.publish(letter.topic, [{
        data: message.data,
        attributes: {
          ...message.attributes,
          CloudPubSubDeadLetterSourceDeliveryCount: String(attempts),
          CloudPubSubDeadLetterSourceSubscription: subscription.settings.name.split("/").at(-1)!,
        },
      }]);
    });
  }

  #received(subscription: Subscription, delivery: Delivery) {
    const m = delivery.entry.message;
    return {
      ackId: delivery.ackId,
      deliveryAttempt: subscription.attemptOf(delivery),
      message: {
        data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
        attributes: m.attributes,
        messageId: m.id,
        publishTime: {
          seconds: String(Math.floor(m.publishTime / 1000)),
          nanos: (m.publishTime % 1000) * 1e6,
        },
        orderingKey: m.orderingKey,
      },
    };
  }

  #entry(name: string): { state: Subscription; proto: SubscriptionProto } {
    const entry = this.#subscriptions.get(this.name("subscriptions", name));
    if (entry === undefined) {
      fail(grpcError(CODE.NOT_FOUND, `Resource not found (resource=${name}).`));
    }
    return entry;
  }

  #tick(): void {
    const now = this.now();
    for (const { state } of this.#subscriptions.values()) {
      state.expire(now);
      this.pump(state);
    }
  }
}
