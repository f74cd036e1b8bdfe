/**
 * Who may do what on the console. Reading is open to whoever reaches the endpoint (as /metrics
 * is), with two checks: on a loopback address the Host must be a loopback name (a page on a
 * rebinding domain cannot read the worker through the browser), and the API is not served to
 * other sites' pages. An action (a state-changing request) also needs the token of
 * `--console-token`, given as `Authorization: Bearer`, and a request from the console's own
 * origin (`Sec-Fetch-Site`, `Origin`); without a token set the console is read-only. Every
 * refusal and every action is logged with the peer's address, never with the token.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { nameOf } from "../../config/settings.ts";
import { logger } from "../../telemetry/log.ts";
import type { Route, RouteRequest } from "../router.ts";

/** What an action route gets besides the request: `audit` logs what it did. */
export type ActionRoute = (
  request: RouteRequest,
  audit: (message: string, properties?: Record<string, unknown>) => void,
) => Response | Promise<Response>;

/** Whether actions can be unlocked: `off` without a token (read-only). */
export type ActionsMode = "off" | "token";

/**
 * Headers of every console answer: no inline script or style, nothing from elsewhere, never in
 * a frame, no referrer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const log = logger("console");

/** A JSON answer with the console's headers. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** Request bodies of the console's actions are small JSON objects. */
const MAX_BODY = 16 * 1024;

/** Reads a small JSON object body; undefined when it is not one. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | undefined> {
  const text = await request.text();
  if (text.length > MAX_BODY) return undefined;
  try {
    const body = JSON.parse(text);
    return typeof body === "object" && body !== null ? body : undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Whether `hostname` (as the endpoint listens on it) only takes connections from this machine. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname) || hostname === "::1";
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** The console's guard: wraps routes with the checks above. */
export class ConsoleGuard {
  readonly #token: Buffer | undefined;
  readonly #loopback: boolean;

  /** A guard for an endpoint listening on `hostname`; actions need `token` (none: read-only). */
  constructor(hostname: string, token: string | undefined) {
    this.#token = token === undefined ? undefined : digest(token);
    this.#loopback = isLoopback(hostname);
  }

  /** Whether actions can be unlocked. */
  get actions(): ActionsMode {
    return this.#token === undefined ? "off" : "token";
  }

  /** A page or an asset: the Host check; its answer gets the security headers. */
  page(route: Route): Route {
    return async (request) => {
      const refused = this.#refuseHost(request);
      if (refused) return refused;
      const response = await route(request);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        if (!response.headers.has(name)) response.headers.set(name, value);
      }
      return response;
    };
  }

  /** A read of the API: the Host check, and no other site's page. */
  read(route: Route): Route {
    return this.page((request) => {
      const site = request.request.headers.get("sec-fetch-site");
      if (site === "cross-site" || site === "same-site") {
        return this.#refuse(request, 403, "another site's page may not read the console");
      }
      return route(request);
    });
  }

  /** An action: every check, then `route`, which logs what it did through `audit`. */
  action(what: string, route: ActionRoute): Route {
    return this.page(async (request) => {
      const { headers } = request.request;
      const site = headers.get("sec-fetch-site");
      const origin = headers.get("origin");
      let refusal: [number, string] | undefined;
      if (this.#token === undefined) {
        refusal = [403, `the console is read-only: set ${nameOf("consoleToken")} to allow ${what}`];
      } else if ((site !== null && site !== "same-origin") || !sameOrigin(origin, headers)) {
        refusal = [
          403,
          `${what} refused: the request came from another origin (${origin ?? site})`,
        ];
      } else if (!this.#tokenGiven(headers.get("authorization"))) {
        refusal = [401, `${what} needs the console token (Authorization: Bearer …)`];
      }
      if (refusal) {
        await request.request.body?.cancel();
        return this.#refuse(request, ...refusal);
      }
      return await route(
        request,
        (message, properties = {}) =>
          log.info(`Console action from {remote}: ${message}`, {
            remote: request.remote,
            ...properties,
          }),
      );
    });
  }

  #tokenGiven(authorization: string | null): boolean {
    const given = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1];
    return given !== undefined && this.#token !== undefined &&
      timingSafeEqual(digest(given), this.#token);
  }

  #refuseHost(request: RouteRequest): Response | undefined {
    if (!this.#loopback) return undefined;
    const host = request.request.headers.get("host") ?? "";
    const name = host.replace(/:\d+$/, "");
    if (LOOPBACK_HOST.test(name)) return undefined;
    return this.#refuse(
      request,
      403,
      `the console listens on a loopback address and answers only to localhost, 127.0.0.1 or ` +
        `[::1], not to Host ${JSON.stringify(host)}`,
    );
  }

  #refuse(request: RouteRequest, status: number, why: string): Response {
    log.warning("Console refused {method} {path} from {remote}: {why}", {
      method: request.request.method,
      path: request.url.pathname,
      remote: request.remote,
      why,
    });
    return json({ error: why }, status);
  }
}

/** Whether `origin` (when sent) is the host the request was sent to. */
function sameOrigin(origin: string | null, headers: Headers): boolean {
  if (origin === null) return true; // not a browser's cross-origin request: they send one
  try {
    return new URL(origin).host === headers.get("host");
  } catch {
    return false; // "null" (a sandboxed page, a file) or garbage
  }
}
