/**
 * `--redact`: log lines keep no personal ID and no fragment of a payload. User and payment
 * method IDs, an event ID that is not a well-formed UUID (read from an invalid payload), and
 * every quoted fragment inside a `detail` or `error` text become short hashes: HMAC-SHA256 with
 * `LOG_REDACT_KEY` when set (so nobody without the key can test a guess), else SHA-256. The same
 * value always gives the same hash, so lines can still be joined.
 */
import type { LogRecord } from "@logtape/logtape";
import { createHash, createHmac } from "node:crypto";

/** Properties that identify people or their payment methods (an ordering key is often a user's
 * ID): always hashed. */
export const SENSITIVE_PROPERTIES = ["userID", "paymentMethodID", "orderingKey"] as const;
/** Properties whose text may quote a payload: their quoted fragments are hashed. */
export const FREE_TEXT_PROPERTIES = ["detail", "error"] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A quoted fragment: "…" or '…' (as JSON.parse and the validator quote payload text). */
const QUOTED = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;

/** Hashes values: keyed when `key` is given. */
export function hasher(key: string | undefined): (value: unknown) => string {
  if (key === undefined || key === "") {
    return (value) =>
      "sha256:" + createHash("sha256").update(String(value)).digest("hex").slice(0, 12);
  }
  return (value) =>
    "hmac:" + createHmac("sha256", key).update(String(value)).digest("hex").slice(0, 12);
}

/** `text` with every quoted fragment hashed by `hash`. */
export function hashQuoted(text: string, hash: (value: unknown) => string): string {
  return text.replace(QUOTED, (quoted) => `"${hash(quoted.slice(1, -1))}"`);
}

/** A redactor for log records, keyed with `key` when given. */
export function redactor(key?: string): (record: LogRecord) => LogRecord {
  const hash = hasher(key);
  return (record) => {
    const replacements = new Map<unknown, unknown>();
    const properties = { ...record.properties };
    const replace = (name: string, value: unknown) => {
      replacements.set(properties[name], value);
      properties[name] = value;
    };
    for (const name of SENSITIVE_PROPERTIES) {
      if (properties[name] !== undefined) replace(name, hash(properties[name]));
    }
    const eventID = properties.eventID;
    if (typeof eventID === "string" && !UUID.test(eventID)) replace("eventID", hash(eventID));
    for (const name of FREE_TEXT_PROPERTIES) {
      const value = properties[name];
      const text = value instanceof Error ? value.message : value;
      if (typeof text === "string") {
        replace(name, hashQuoted(text, hash));
      }
    }
    if (replacements.size === 0) return record;
    const message = record.message.map((part, index) =>
      index % 2 === 1 && replacements.has(part) ? replacements.get(part) : part
    );
    return { ...record, properties, message };
  };
}

/**
 * `url` as it may be logged: scheme, host and path, without `user:password@` or the query and
 * fragment (which often carry tokens); a query is shown as `?…`.
 */
export function safeUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return scrubUrls(String(url));
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? "?…" : ""}`;
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#)"']*)[?#][^\s)"']*/gi;

/** `text` with the credentials and queries of every URL in it removed (an error message from
 * fetch quotes the URL it tried). */
export function scrubUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1").replace(URL_QUERY, "$1?…");
}
