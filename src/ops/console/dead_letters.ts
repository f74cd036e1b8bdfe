/**
 * The console's Dead letters tab: the dead-letter subscription read as `dead-letters peek` reads
 * it (dead_letter_queue.ts: nothing acked, everything given back at once), grouped by reason, at
 * most every few seconds however many pages ask; and its action, requeue (one, a selection, or
 * every dead letter of a reason), done by the same module as `dead-letters requeue`: one at a
 * time, refused when the count differs from the one the confirmation showed, its progress pushed
 * to every page. The list shows what the log lines show (no body; under `--redact`, redacted).
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../config/settings.ts";
import { codeOf, GRPC } from "../../pubsub/grpc_codes.ts";
import type { Pulled } from "../../pubsub/pull.ts";
import {
  type DeadLetterFilter,
  type DeadLetterReport,
  factsOf,
  peekDeadLetters,
  requeueDeadLetters,
  SelectionChangedError,
} from "../dead_letter_queue.ts";
import { type ActionRoute, json, jsonBody } from "./auth.ts";
import { redacting } from "./recent.ts";

/** One dead letter as the page lists it. */
export interface DeadLetterEntry {
  /** Its message ID on the dead-letter subscription (what a requeue names). */
  messageId: string;
  reason: string;
  detail?: string;
  attempt: string | null;
  eventID: string | null;
  originalMessageId: string | null;
  key?: string;
  /** When it was dead-lettered, epoch ms. */
  at: number;
}

/** Dead letters listed at most, and by default. */
export const MAX_SHOWN = 1000;
const DEFAULT_SHOWN = 200;
/** How long a read is shown before the subscription is read again. */
const FRESH_MS = 5000;
/** Message IDs a requeue may name. */
const MAX_NAMED = 1000;

/** A request the tab cannot take: `status` says why. */
class Refused extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** What `POST …/requeue` takes: one of `messageIds`, `reason`, `all`, and `expect`. */
function selectionOf(body: Record<string, unknown> | undefined): {
  filter: DeadLetterFilter;
  expect: number;
  what: string;
} {
  const expect = body?.expect;
  if (typeof expect !== "number" || !Number.isSafeInteger(expect) || expect < 1) {
    throw new Refused(
      `expect: got ${
        JSON.stringify(expect)
      }, expected the count the confirmation showed (1 or more)`,
    );
  }
  const { messageIds, reason, all } = body ?? {};
  const given = [messageIds, reason, all].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new Refused("expected exactly one of messageIds (a list), reason, or all: true");
  }
  if (all !== undefined) {
    if (all !== true) throw new Refused(`all: got ${JSON.stringify(all)}, expected true`);
    return { filter: {}, expect, what: "all" };
  }
  if (reason !== undefined) {
    if (typeof reason !== "string" || reason === "") {
      throw new Refused(`reason: got ${JSON.stringify(reason)}, expected a reason's name`);
    }
    return { filter: { reason }, expect, what: `reason ${reason}` };
  }
  const ids = Array.isArray(messageIds) ? messageIds : [];
  if (ids.length === 0 || ids.length > MAX_NAMED || !ids.every((id) => typeof id === "string")) {
    throw new Refused(`messageIds: expected a list of 1 to ${MAX_NAMED} message IDs`);
  }
  return {
    filter: { messageIds: new Set(ids as string[]) },
    expect,
    what: ids.length === 1 ? `message ${ids[0]}` : `${ids.length} selected`,
  };
}

/** The tab's reads (shared for {@linkcode FRESH_MS}) and its requeue. */
export class DeadLetterTab {
  readonly #client: PubSub;
  readonly #config: Config;
  readonly #present: (entry: DeadLetterEntry) => DeadLetterEntry;
  readonly #reads = new Map<string, { at: number; view: Promise<unknown> }>();
  #running: { done: number; total: number } | undefined;

  /** The tab for `config`'s dead-letter subscription; progress goes to `broadcast`. */
  constructor(
    client: PubSub,
    config: Config,
    readonly broadcast: (event: "requeue", data: unknown) => void,
  ) {
    this.#client = client;
    this.#config = config;
    this.#present = config.redact ? redacting(config.redactKey) : (entry) => entry;
  }

  /** `GET /console/api/dead-letters?reason=&limit=`. */
  async view(url: URL): Promise<Response> {
    const reason = url.searchParams.get("reason") || undefined;
    const asked = Number(url.searchParams.get("limit") ?? DEFAULT_SHOWN);
    const keep = Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, MAX_SHOWN) : 200;
    const key = `${reason ?? ""}\n${keep}`;
    const now = performance.now();
    let read = this.#reads.get(key);
    // While a requeue runs, a read would hold dead letters it is reading: the last read is shown.
    if (read === undefined || (now - read.at >= FRESH_MS && !this.#running)) {
      if (this.#reads.size > 16) this.#reads.clear();
      read = { at: now, view: this.#read(reason, keep) };
      this.#reads.set(key, read);
      read.view.catch(() => this.#reads.delete(key)); // a failure is not kept
    }
    try {
      return json({ ...await read.view as object, requeue: this.#running ?? null });
    } catch (error) {
      return this.#failed(error);
    }
  }

  /** `POST /console/api/dead-letters/requeue`. */
  readonly requeue: ActionRoute = async ({ request }, audit) => {
    let selection;
    try {
      selection = selectionOf(await jsonBody(request));
      if (this.#running) throw new Refused("a requeue is running; wait for it to end", 409);
    } catch (error) {
      if (error instanceof Refused) return json({ error: error.message }, error.status);
      throw error;
    }
    const topic = this.#config.topic;
    this.#running = { done: 0, total: selection.expect };
    this.broadcast("requeue", this.#running);
    // A read of this console still going holds dead letters the requeue must see: it ends first.
    await Promise.allSettled([...this.#reads.values()].map((read) => read.view));
    let report: DeadLetterReport;
    try {
      report = await requeueDeadLetters(this.#client, this.#config.deadLetterSubscription, {
        filter: selection.filter,
        topic,
        expect: selection.expect,
        onProgress: (progress) => {
          this.#running = progress;
          this.broadcast("requeue", progress);
        },
      });
    } catch (error) {
      if (error instanceof SelectionChangedError) {
        return json({ error: error.message, matched: error.matched }, 409);
      }
      return this.#failed(error);
    } finally {
      this.#running = undefined;
      this.#reads.clear();
      this.broadcast("requeue", { done: 0, total: 0, ended: true });
    }
    audit("requeued {requeued} of {matched} dead letters ({what}) to {topic}", {
      requeued: report.requeued,
      matched: report.matched,
      what: selection.what,
      topic,
    });
    return json({
      matched: report.matched,
      requeued: report.requeued,
      failed: report.failed,
      unacked: report.unacked,
      remaining: report.remaining,
      topic,
      error: report.firstError?.message ?? null,
    }, report.failed + report.unacked > 0 ? 502 : 200);
  };

  async #read(reason: string | undefined, keep: number) {
    const subscription = this.#config.deadLetterSubscription;
    const found = await peekDeadLetters(this.#client, subscription, {
      filter: { reason },
      keep,
    });
    return {
      subscription,
      topic: this.#config.topic,
      total: [...found.byReason.values()].reduce((a, b) => a + b, 0),
      byReason: [...found.byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
      reason: reason ?? null,
      matched: found.matched,
      entries: found.shown.map((message) => this.#present(entryOf(message))),
      readAt: new Date().toISOString(),
    };
  }

  #failed(error: unknown): Response {
    const subscription = this.#config.deadLetterSubscription;
    if (codeOf(error) === GRPC.NOT_FOUND) {
      return json({ error: `${subscription} does not exist: run event-tool setup` }, 404);
    }
    return json({ error: `Pub/Sub did not answer: ${(error as Error).message}` }, 502);
  }
}

function entryOf(message: Pulled): DeadLetterEntry {
  const f = factsOf(message);
  return {
    messageId: message.messageId,
    reason: f.reason,
    ...(f.detail === undefined ? {} : { detail: f.detail }),
    attempt: f.attempt ?? null,
    eventID: f.eventId ?? null,
    originalMessageId: f.originalMessageId ?? null,
    ...(f.orderingKey === undefined ? {} : { key: f.orderingKey }),
    at: f.deadLetteredAt.getTime(),
  };
}
