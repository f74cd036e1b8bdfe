/**
 * Server-sent events to the console's open pages: each page gets a first message of its own
 * (the history) and then every broadcast, encoded once for all. A page that stops reading is
 * dropped once a few seconds of messages wait for it, and at most {@linkcode MAX_PAGES} are open
 * at once, so pages cannot make the worker hold memory or work.
 */

/** Pages that may follow the live stream at once. */
export const MAX_PAGES = 16;
/** Bytes queued for one page before it is dropped. */
const MAX_QUEUED = 256 * 1024;
const encoder = new TextEncoder();

/** One server-sent event, encoded. */
export function encodeEvent(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The pages following the stream. */
export class EventHub {
  readonly #pages = new Set<ReadableStreamDefaultController<Uint8Array>>();

  /** Pages open now. */
  get size(): number {
    return this.#pages.size;
  }

  /** A response that streams `first`, then every broadcast; 503 when too many pages follow. */
  open(first: Uint8Array): Response {
    if (this.#pages.size >= MAX_PAGES) {
      return new Response(`at most ${MAX_PAGES} console pages follow the worker at once\n`, {
        status: 503,
        headers: { "retry-after": "10" },
      });
    }
    let page: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        page = controller;
        this.#pages.add(controller);
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
        controller.enqueue(first);
      },
      cancel: () => {
        if (page) this.#pages.delete(page);
      },
    }, { highWaterMark: MAX_QUEUED, size: (chunk) => chunk.byteLength });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Sends `event` to every page. */
  broadcast(event: string, data: unknown): void {
    if (this.#pages.size === 0) return;
    const bytes = encodeEvent(event, data);
    for (const page of this.#pages) {
      if ((page.desiredSize ?? 0) <= 0) this.#drop(page); // it stopped reading
      else page.enqueue(bytes);
    }
  }

  /** Ends every stream (the worker stops). */
  close(): void {
    for (const page of this.#pages) this.#drop(page);
  }

  #drop(page: ReadableStreamDefaultController<Uint8Array>): void {
    this.#pages.delete(page);
    try {
      page.close();
    } catch {
      // already closed or errored by its reader going away
    }
  }
}
