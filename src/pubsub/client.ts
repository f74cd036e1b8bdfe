/**
 * The Pub/Sub client for the emulator or for Google Cloud, and what the worker asks of it besides
 * messages (where it points, publish time).
 */
import { PubSub } from "@google-cloud/pubsub";
import { UsageError } from "../base/errors.ts";
import { type Config, nameOf, PROJECT_VARIABLES, SETTINGS } from "../config/settings.ts";
import { PUBLISHED_AT_ATTRIBUTE } from "../event/event.ts";

/**
 * Creates a client: against the emulator when `emulatorHost` is set (no credentials, no
 * metadata-server probing), otherwise against Google Cloud with Application Default Credentials.
 */
export function createClient(config: Pick<Config, "project" | "emulatorHost" | "otel">): PubSub {
  const common = {
    ...(config.project === undefined ? {} : { projectId: config.project }),
    enableOpenTelemetryTracing: config.otel,
  };
  if (config.emulatorHost === undefined) return new PubSub(common);
  // google-auth-library probes the GCE metadata server even for the emulator and warns when it
  // is absent; the emulator needs no credentials, so tell it not to look.
  if (Deno.env.get("METADATA_SERVER_DETECTION") === undefined) {
    Deno.env.set("METADATA_SERVER_DETECTION", "none");
  }
  return new PubSub({
    ...common,
    apiEndpoint: config.emulatorHost,
    emulatorMode: true,
  });
}

/** Where the client talks to, for log lines. */
export function describeTarget(config: Pick<Config, "project" | "emulatorHost">): string {
  return config.emulatorHost === undefined
    ? `Google Cloud project ${config.project ?? "(from the credentials)"}`
    : `emulator ${config.emulatorHost} (project ${config.project})`;
}

/** Publish time in epoch ms: the `publishedAt` attribute if valid, else Pub/Sub's. */
export function publishedAt(
  message: { readonly attributes: Readonly<Record<string, string>>; readonly publishMs: number },
): number {
  const attribute = Number(message.attributes[PUBLISHED_AT_ATTRIBUTE]);
  return Number.isFinite(attribute) && attribute > 0 ? attribute : message.publishMs;
}

/**
 * On Google Cloud without a project named in flags or variables, asks the credentials for one;
 * throws a {@linkcode UsageError} naming the variables to set when they have none.
 */
export async function checkProject(client: PubSub, config: Pick<Config, "project">): Promise<void> {
  if (config.project !== undefined) return;
  try {
    if (await client.auth.getProjectId()) return;
  } catch {
    // no project in the credentials: reported below
  }
  throw new UsageError(
    `no Google Cloud project: expected ${nameOf("project")}, ` +
      `${PROJECT_VARIABLES.join(" or ")}, or credentials that name a project; for the emulator, ` +
      `${nameOf("emulatorHost")} (\`export ${SETTINGS.emulatorHost.env}=localhost:8085\`)`,
  );
}
