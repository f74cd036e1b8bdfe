/**
 * The operations endpoint's small router: a route is a method and a path (or a path prefix
 * ending in `/*`), GET routes answer HEAD too, a path known under another method answers 405
 * with `Allow`, anything else the fallback. Guards (the console's auth and same-origin checks)
 * wrap routes; the router itself knows nothing of them.
 */

/** The methods a route can take. */
export const METHODS = ["GET", "POST", "DELETE"] as const;
/** One of {@linkcode METHODS}. */
export type Method = typeof METHODS[number];

/** A request as a route sees it. */
export interface RouteRequest {
  readonly request: Request;
  readonly url: URL;
  /** The peer's address, for the log of actions. */
  readonly remote: string;
}

/** Answers one request. */
export type Route = (request: RouteRequest) => Response | Promise<Response>;

type Table = Map<Method, Route>;

/** Routes by method and path. */
export class Router {
  readonly #exact = new Map<string, Table>();
  readonly #prefixes: [string, Table][] = [];
  readonly #fallback: Route;

  /** A router that answers unknown paths with `fallback`. */
  constructor(fallback: Route) {
    this.#fallback = fallback;
  }

  /** GET (and HEAD) `path`. */
  get(path: string, route: Route): this {
    return this.add("GET", path, route);
  }

  /** POST `path`. */
  post(path: string, route: Route): this {
    return this.add("POST", path, route);
  }

  /** Adds a route; `path` ending in `/*` matches every path under it. */
  add(method: Method, path: string, route: Route): this {
    let table: Table | undefined;
    if (path.endsWith("/*")) {
      const prefix = path.slice(0, -1);
      table = this.#prefixes.find(([p]) => p === prefix)?.[1];
      if (table === undefined) this.#prefixes.push([prefix, table = new Map()]);
    } else {
      table = this.#exact.get(path);
      if (table === undefined) this.#exact.set(path, table = new Map());
    }
    if (table.has(method)) throw new Error(`${method} ${path} is routed twice`);
    table.set(method, route);
    return this;
  }

  /** Answers `request` from the peer `remote`. */
  async handle(request: Request, remote: string): Promise<Response> {
    const url = new URL(request.url);
    const table = this.#exact.get(url.pathname) ??
      this.#prefixes.find(([prefix]) => url.pathname.startsWith(prefix))?.[1];
    const routed = { request, url, remote };
    if (table === undefined) return await this.#fallback(routed);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const route = table.get(method as Method);
    if (route === undefined) {
      await request.body?.cancel();
      return new Response("method not allowed\n", {
        status: 405,
        headers: { allow: [...table.keys()].map((m) => m === "GET" ? "GET, HEAD" : m).join(", ") },
      });
    }
    return await route(routed);
  }
}
