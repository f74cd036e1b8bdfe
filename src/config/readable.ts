/**
 * The files a command's settings name, against what the process may read: a task run from the
 * source reads only the checkout and the default credentials file (permissions.ts).
 */
import { UsageError } from "../base/errors.ts";
import { GRANT_VARIABLE, mayRead } from "./permissions.ts";
import { type Config, SETTINGS } from "./settings.ts";

/**
 * Refuses, before anything runs, a setting naming a file this process may not read (a task reads
 * only the checkout and the default credentials file): a {@linkcode UsageError} naming the
 * setting, the file and the scoped grant that allows it, instead of a failure deep inside a
 * library (the credentials) or on every event (a handler module's folder).
 */
export function checkReadable(
  config: Pick<Config, "schema" | "file" | "handler" | "emulatorHost">,
  command: string,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): void {
  const credentials = config.emulatorHost === undefined
    ? env("GOOGLE_APPLICATION_CREDENTIALS")
    : undefined;
  const handlerFolder = config.handler === undefined
    ? undefined
    : new URL(".", new URL(config.handler, `file://${Deno.cwd()}/`)).pathname;
  const files: [string, string | undefined][] = [
    ["GOOGLE_APPLICATION_CREDENTIALS", credentials || undefined],
    [SETTINGS.schema.flag, config.schema],
    [SETTINGS.file.flag, config.file === "-" ? undefined : config.file],
    [`${SETTINGS.handler.flag}'s folder`, handlerFolder],
  ];
  for (const [name, path] of files) {
    if (path === undefined || mayRead(path)) continue;
    const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
    throw new UsageError(
      `${name}: this process may not read ${JSON.stringify(path)} (deno task ${command} reads ` +
        `only the checkout and the default credentials file), expected a file it may read: ` +
        `grant it, scoped: ${GRANT_VARIABLE}='--allow-read=${absolute}' deno task ${command} …`,
    );
  }
}
