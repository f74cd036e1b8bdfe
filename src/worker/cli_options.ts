/**
 * The one place where the CLI's configuration becomes a worker's options: `worker`, `demo`, the
 * bench and the tests build their {@linkcode WorkerOptions} here.
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { builtInContract, type EventContract } from "../event/contract.ts";
import type { Handler } from "./handler.ts";
import { defaultHandler } from "./handlers/resolve.ts";
import { WORKER_SETTINGS, type WorkerOptions, type WorkerSettings } from "./options.ts";

/** What the CLI has made beside its configuration (each optional). */
export interface WorkerParts {
  /** The handler `resolveHandler()` chose; default: the logging handler with `--simulate-*`. */
  handler?: Handler;
  /** The contract `resolveContract()` read; default: the built-in one for `--event-type`. */
  contract?: EventContract;
  /** A client the caller owns. */
  client?: PubSub;
}

/** The worker's options for `config`, with what the CLI made beside it. */
export function workerOptions(config: Config, parts: WorkerParts = {}): WorkerOptions {
  const settings = {} as Record<string, unknown>;
  for (const key of WORKER_SETTINGS) settings[key] = config[key];
  return {
    ...settings as WorkerSettings, // the compiler checks each against its option's type
    handler: parts.handler ?? defaultHandler(config),
    contract: parts.contract ?? builtInContract(config.eventType),
    // An HTTP service may throttle (429/503): the pace follows it.
    adaptivePace: config.handlerUrl !== undefined,
    ...(parts.client === undefined ? {} : { client: parts.client }),
  };
}
