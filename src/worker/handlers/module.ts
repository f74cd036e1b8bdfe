/**
 * `--handler ./path/module.ts`: a module whose default export is the handler,
 * `(event, context) => Promise<void>`, for `deno task worker` and library users. A compiled
 * executable can only run modules compiled into it, so there the answer is `--handler-url`.
 */
import { UsageError } from "../../base/errors.ts";
import { SETTINGS } from "../../config/settings.ts";
import type { Handler } from "../handler.ts";

const EXPECTED = "a module whose default export is (event, context) => Promise<void>";

/** Loads the handler module at `path` (relative to the working directory). */
export async function moduleHandler(path: string): Promise<Handler> {
  const flag = SETTINGS.handler.flag;
  const url = new URL(path, `file://${Deno.cwd()}/`);
  try {
    await Deno.stat(url);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "not found" : String(error);
    throw new UsageError(
      `${flag}: cannot read ${JSON.stringify(path)} (${why}), expected ${EXPECTED}`,
    );
  }
  let module: { default?: unknown };
  try {
    module = await import(url.href);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    const compiled = !/^deno(\.exe)?$/.test(Deno.execPath().split(/[\\/]/).at(-1) ?? "");
    throw new UsageError(
      `${flag}: cannot load ${JSON.stringify(path)} (${why})` +
        (compiled
          ? `; a compiled executable runs only the modules compiled into it: use ` +
            `${SETTINGS.handlerUrl.flag}, or run the module with deno task worker`
          : `, expected ${EXPECTED}`),
    );
  }
  if (typeof module.default !== "function") {
    throw new UsageError(
      `${flag}: ${JSON.stringify(path)} has ${
        module.default === undefined
          ? "no default export"
          : `a default export of type ${typeof module.default}`
      }, expected ${EXPECTED}`,
    );
  }
  const handler = module.default as (...args: unknown[]) => unknown;
  return async (event, context) => {
    await handler(event, context);
  };
}
