/**
 * A real browser for tests: Debian's chromium-headless-shell driven by puppeteer-core (which
 * downloads nothing). Every page opened here records what a person would see go wrong: console
 * errors and warnings, uncaught errors, failed requests and error answers (a CSP violation is a
 * console error). If the browser is missing the test fails saying how to install it.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** The browser binary (CHROMIUM_PATH overrides). */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium-headless-shell";

/** Starts the headless browser. */
export async function launchBrowser(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} is missing: install it (as root) with \`apt-get update && apt-get install -y ` +
        "chromium-headless-shell` (.ci/run does), or set CHROMIUM_PATH",
    );
  }
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    // The sandbox needs user namespaces, which containers running as root rarely have.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** A page and what went wrong on it so far. */
export interface WatchedPage {
  page: Page;
  /** Console errors and warnings, uncaught errors, failed requests, 4xx/5xx answers. */
  problems: string[];
}

/** Opens a new page at `width`×`height` that records its problems. */
export async function watchedPage(
  browser: Browser,
  width = 1360,
  height = 900,
): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warn") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${(error as Error).message}`));
  page.on("requestfailed", (request) => {
    // A stream the page closes as it leaves is not a failure.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") {
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

/** The text of the element `selector` on `page` ("" when absent). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return await page.$eval(selector, (node) => node.textContent ?? "").catch(() => "");
}
