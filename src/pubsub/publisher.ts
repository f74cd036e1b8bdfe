/**
 * Publishing events with client-side batching, optionally paced, with a bound on what is in
 * flight. Used by `publish`, `demo`, the bench and the tests.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { Buffer } from "node:buffer";
import { sleep } from "../base/async.ts";
import {
  BUILT_IN_EVENT_TYPE,
  EVENT_TYPE_ATTRIBUTE,
  PUBLISHED_AT_ATTRIBUTE,
} from "../event/event.ts";
import type { Payload } from "../event/payload.ts";
import { defaults, resolveTarget } from "../config/resolve.ts";
import { createClient } from "./client.ts";

/** What a publish run did. */
export interface PublishReport {
  /** Events Pub/Sub accepted. */
  published: number;
  /** Events that could not be published. */
  failed: number;
  /** How long publishing took. */
  seconds: number;
  /** The first failure, if any. */
  firstError?: Error;
  /**
   * Ordering keys whose publishing stopped after a failure: the client pauses such a key, so
   * its later events fail too rather than be published out of order. Each is resumed at the end
   * (a later run can publish them) and reported.
   */
  pausedKeys: string[];
  /** The input lines (`publish --file`) whose events were not published, in order. */
  failedLines: number[];
}

/** Where {@linkcode publishEvents} publishes (each optional). */
export interface PublishTarget {
  /**
   * The topic.
   * @default "payment-method-created-topic"
   */
  topic?: string;
  /**
   * The Google Cloud project.
   * @default as the CLI finds it (`PUBSUB_PROJECT_ID`, with the emulator `local-project`, …)
   */
  project?: string | undefined;
  /**
   * The emulator's `host:port`; unset, Google Cloud with Application Default Credentials.
   * @default `PUBSUB_EMULATOR_HOST` when it is set
   */
  emulatorHost?: string | undefined;
  /**
   * Trace the client's calls with OpenTelemetry.
   * @default false
   */
  otel?: boolean;
}

/** Options for {@linkcode publishEvents}. */
export interface PublishOptions {
  /** Events per second; default: as fast as batching allows. */
  rate?: number | undefined;
  /** Called after each event settles, with the count so far. */
  onProgress?: (done: number) => void;
  /** The `eventType` attribute. Default `PaymentMethodCreated`. */
  eventType?: string;
}

/** Most publishes in flight at once: bounds memory for any count. */
const MAX_PENDING = 10_000;

/**
 * A Buffer view of the bytes (no copy). The client walks request objects to fill in the project
 * ID and skips only Buffers: a plain Uint8Array is walked byte by byte, which profiling showed
 * cost more than half the publisher's CPU.
 */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Publishes `payloads` to `target`'s topic, on the emulator or Google Cloud as `target` says,
 * with a client of its own: the library form of `event-tool publish`.
 */
export async function publishEvents(
  target: PublishTarget,
  payloads: Iterable<Payload>,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const client = createClient({ ...resolveTarget(target), otel: target.otel ?? false });
  try {
    return await publishPayloads(client, target.topic ?? defaults().topic, payloads, options);
  } finally {
    await client.close();
  }
}

/**
 * The publishes in flight and what became of those done: at most a given number in flight, and
 * one pair of callbacks for every publish (no closure or extra promise per event).
 */
class InFlight {
  readonly report: PublishReport = {
    published: 0,
    failed: 0,
    seconds: 0,
    pausedKeys: [],
    failedLines: [],
  };
  readonly #onProgress: ((done: number) => void) | undefined;
  #count = 0;
  #wake: (() => void) | undefined;

  constructor(onProgress: ((done: number) => void) | undefined) {
    this.#onProgress = onProgress;
  }

  /** Publishes in flight now. */
  get size(): number {
    return this.#count;
  }

  /** One more publish is on its way. */
  started(): void {
    this.#count++;
  }

  /** Resolves once fewer than `limit` publishes are in flight. */
  async below(limit: number): Promise<void> {
    while (this.#count >= limit) await new Promise<void>((resolve) => this.#wake = resolve);
  }

  readonly published = (): void => {
    this.report.published++;
    this.#settled();
  };

  readonly failed = (error: Error): void => {
    this.report.failed++;
    this.report.firstError ??= error;
    this.#settled();
  };

  #settled(): void {
    this.#count--;
    this.#onProgress?.(this.report.published + this.report.failed);
    const resume = this.#wake;
    this.#wake = undefined;
    resume?.();
  }
}

/**
 * Publishes `payloads` to `topicName` with batching, keeping at most 10,000 in flight.
 * @ignore
 */
export async function publishPayloads(
  client: PubSub,
  topicName: string,
  payloads: Iterable<Payload>,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const topic = client.topic(topicName, {
    batching: { maxMessages: 1000, maxMilliseconds: 5 },
    messageOrdering: true, // applies to messages with an ordering key only
  });
  const inFlight = new InFlight(options.onProgress);
  const { report } = inFlight;
  const paused = new Set<string>();
  const started = performance.now();
  const eventType = options.eventType ?? BUILT_IN_EVENT_TYPE;
  let index = -1;
  for (const payload of payloads) {
    index++;
    if (options.rate !== undefined) {
      const due = started + (index * 1000) / options.rate;
      const ahead = due - performance.now();
      if (ahead > 2) await sleep(ahead);
    }
    if (inFlight.size >= MAX_PENDING) await inFlight.below(MAX_PENDING);
    inFlight.started();
    const key = payload.orderingKey;
    const line = payload.line;
    topic.publishMessage({
      data: asBuffer(payload.data),
      attributes: {
        [EVENT_TYPE_ATTRIBUTE]: eventType,
        [PUBLISHED_AT_ATTRIBUTE]: String(Date.now()),
      },
      ...(key === undefined ? {} : { orderingKey: key }),
    }).then(
      inFlight.published,
      key === undefined && line === undefined ? inFlight.failed : (error: Error) => {
        if (key !== undefined) paused.add(key);
        if (line !== undefined) report.failedLines.push(line);
        inFlight.failed(error);
      },
    );
  }
  await inFlight.below(1); // each publish settles once its batch was sent (or failed)
  for (const key of paused) topic.resumePublishing(key);
  report.pausedKeys = [...paused];
  report.failedLines.sort((a, b) => a - b);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
