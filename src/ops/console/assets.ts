/**
 * The console page's files, part of the module graph (text imports), so `deno run`, the
 * published package and the `deno compile` executable all carry them: the page, its scripts and
 * style, and uPlot (npm `uplot`, pinned in deno.json), served by the worker itself. Each is
 * revalidated by its ETag.
 */
import { createHash } from "node:crypto";
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import appCss from "./assets/app.css" with { type: "text" };
import appJs from "./assets/app.js" with { type: "text" };
import chartsJs from "./assets/charts.js" with { type: "text" };
import deadLettersJs from "./assets/dead_letters.js" with { type: "text" };
import favicon from "./assets/favicon.svg" with { type: "text" };
import indexHtml from "./assets/index.html" with { type: "text" };
import liveJs from "./assets/live.js" with { type: "text" };
import outcomesJs from "./assets/outcomes.js" with { type: "text" };
import subscriptionJs from "./assets/subscription.js" with { type: "text" };
import uiJs from "./assets/ui.js" with { type: "text" };

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** An asset: its body, type and ETag. */
interface Asset {
  body: string;
  type: string;
  etag: string;
}

function asset(name: string, body: string): [string, Asset] {
  const type = TYPES[name.split(".").at(-1) ?? ""] ?? "application/octet-stream";
  const etag = `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"`;
  return [name, { body, type, etag }];
}

/** The page (`/console/`) and the files under `/console/assets/`, by name. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  asset("index.html", indexHtml),
  asset("app.js", appJs),
  asset("ui.js", uiJs),
  asset("live.js", liveJs),
  asset("charts.js", chartsJs),
  asset("outcomes.js", outcomesJs),
  asset("subscription.js", subscriptionJs),
  asset("dead_letters.js", deadLettersJs),
  asset("app.css", appCss),
  asset("favicon.svg", favicon),
  asset("uplot.js", uplotJs),
  asset("uplot.css", uplotCss),
]);

/** The answer for asset `name` to a request with `ifNoneMatch`; undefined when unknown. */
export function serveAsset(name: string, ifNoneMatch: string | null): Response | undefined {
  const found = ASSETS.get(name);
  if (found === undefined) return undefined;
  const headers = { "content-type": found.type, "cache-control": "no-cache", etag: found.etag };
  if (ifNoneMatch === found.etag) return new Response(null, { status: 304, headers });
  return new Response(found.body, { headers });
}
