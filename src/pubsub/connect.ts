/** A client ready for a command: the project known, and (for one-shot commands) Pub/Sub reached. */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { checkProject, createClient } from "./client.ts";
import { ensureReachable } from "./reach.ts";

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Fail within --connect-timeout when Pub/Sub cannot be reached (setup, publish). Default
   * true; the worker passes false: it keeps retrying and warns instead. */
  failFast?: boolean;
}

/**
 * Creates a client for `config`, checks that a project is known (exit 2 naming the variables if
 * not) and, with `failFast`, that Pub/Sub answers. Closes the client if a check fails.
 */
export async function connect(config: Config, options: ConnectOptions = {}): Promise<PubSub> {
  const client = createClient(config);
  try {
    await checkProject(client, config);
    if (options.failFast ?? true) await ensureReachable(config);
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}
