/// <reference lib="dom" />
/**
 * A real browser for tests: Debian's chromium-headless-shell driven by puppeteer-core (which
 * downloads nothing). Every page opened here records what a person would see go wrong: console
 * errors and warnings, uncaught errors, failed requests and error answers (a CSP violation is a
 * console error). If the browser is missing the test fails saying how to install it. Also: a
 * worker with its console on the emulator, and the page's unlock.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import type { Config } from "../../src/config/settings.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { type RunningCli, spawnCli } from "./cli.ts";
import { createTopology, envFor, testConfig } from "./pubsub.ts";

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

/** A worker with `--console` on its own topology of the emulator. */
export interface ConsoleWorker {
  config: Config;
  port: number;
  worker: RunningCli;
  /** The endpoint's root, `http://127.0.0.1:<port>/`. */
  url: string;
}

/**
 * Starts `event-tool worker --console …args` (the summary line off, `env` added) on a new
 * topology; resolves once it consumes.
 */
export async function startConsoleWorker(
  args: string[],
  env: Record<string, string>,
): Promise<ConsoleWorker> {
  const config = await testConfig();
  await createTopology(config);
  const port = freePort();
  const worker = spawnCli(
    ["worker", "--console", ...args],
    { ...envFor(config), METRICS_PORT: String(port), WORKER_SUMMARY_INTERVAL: "0", ...env },
  );
  await worker.waitForLine(/Worker consuming/);
  return { config, port, worker, url: `http://127.0.0.1:${port}/` };
}

/** Unlocks the page's actions with `token` (the dialog of "Unlock actions"). */
export async function unlock(page: Page, token: string): Promise<void> {
  await page.click("#unlock-open");
  await page.$eval("#unlock-token", (input) => (input as HTMLInputElement).value = "");
  await page.type("#unlock-token", token);
  await page.click("#unlock-submit");
  await page.waitForSelector("#lock");
}
