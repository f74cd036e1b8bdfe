/**
 * Parsers for network settings: addresses, URLs and HTTP headers. Like parse.ts, each throws a
 * {@linkcode ParseError} whose message is the form expected, and never quotes a secret.
 */
import { ParseError, type Parser } from "./parse.ts";

/** `host:port`, such as `localhost:8085` (the Pub/Sub client cannot take IPv6 literals here). */
export const hostPort: Parser<string> = (raw) => {
  const match = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) {
    throw new ParseError("host:port, such as localhost:8085");
  }
  return raw.trim();
};

/** A host name or IP address to listen on, such as `127.0.0.1`, `0.0.0.0`, `::` or `localhost`. */
export const host: Parser<string> = (raw) => {
  const text = raw.trim();
  if (!/^([A-Za-z0-9.-]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/.test(text)) {
    throw new ParseError("a host name or IP address, such as 127.0.0.1, 0.0.0.0 or ::");
  }
  return text;
};

/** An http or https URL, such as `http://127.0.0.1:8080/events`. */
export const url: Parser<URL> = (raw) => {
  let value: URL;
  try {
    value = new URL(raw.trim());
  } catch {
    throw new ParseError("an http(s) URL, such as http://127.0.0.1:8080/events");
  }
  if (value.protocol !== "http:" && value.protocol !== "https:") {
    throw new ParseError("an http(s) URL, such as http://127.0.0.1:8080/events");
  }
  return value;
};

/** A header name: an HTTP token (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Whether `text` has a control character other than tab: never valid in a header value. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/**
 * HTTP headers, one `Name: value` per line, such as `Authorization: Bearer abc`. Names must be
 * tokens and values printable; an error names the header (or its line) and never quotes a value.
 */
export const headers: Parser<[string, string][]> = (raw) => {
  const list: [string, string][] = [];
  const lines = raw.split("\n").map((line) => line.replace(/\r$/, ""));
  const count = lines.filter((line) => line.trim() !== "").length;
  let index = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    index++;
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) {
      throw new ParseError(
        `one "Name: value" header per line, such as "Authorization: Bearer abc" (header ` +
          `${index} of ${count} has no valid name before a colon: a name is letters, digits ` +
          "and - without spaces)",
      );
    }
    const value = line.slice(colon + 1).trim();
    if (hasControl(value)) {
      throw new ParseError(
        `printable header values (the value of header ${JSON.stringify(name)} has a control ` +
          "character; the value is not shown)",
      );
    }
    if ([...value].some((char) => char.charCodeAt(0) > 0xff)) {
      throw new ParseError(
        `header values in Latin-1, as HTTP sends them (the value of header ` +
          `${JSON.stringify(name)} has a character beyond it; the value is not shown)`,
      );
    }
    list.push([name, value]);
  }
  return list;
};

/** A comma-separated list of HTTP 4xx statuses, such as `405,409` (empty: none). */
export const statuses: Parser<number[]> = (raw) => {
  const words = raw.split(",").map((word) => word.trim()).filter((word) => word !== "");
  const list = words.map(Number);
  if (words.some((word) => !/^4\d\d$/.test(word))) {
    throw new ParseError("a comma-separated list of 4xx HTTP statuses, such as 405,409");
  }
  return [...new Set(list)];
};

/**
 * `raw` as an error may quote a setting that can carry credentials: everything before the last
 * `@` (after a scheme) and any query or fragment shown as `…`, so neither `user:password@` nor a
 * `?token=` survives, whatever else is wrong with the value.
 */
export function withoutCredentials(raw: string): string {
  return raw
    .replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/|)[^]*@/i, "$1…@")
    .replace(/([?#])[^]*$/, "$1…");
}
