/**
 * Parsers for setting values. Each takes the raw text and returns the typed value, or throws a
 * {@linkcode ParseError} whose message is the form expected (the caller adds which flag or
 * variable, and the value received).
 */

/** The raw text did not have the expected form; `message` describes that form. */
export class ParseError extends Error {
  constructor(expected: string) {
    super(expected);
    this.name = "ParseError";
  }
}

/** A parser: raw text → typed value, or a thrown {@linkcode ParseError}. */
export type Parser<T> = (raw: string) => T;

/** An integer within `[min, max]`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const expected = max === Number.MAX_SAFE_INTEGER
    ? `an integer >= ${min}`
    : `an integer from ${min} to ${max}`;
  return (raw) => {
    if (!/^[+-]?\d+$/.test(raw.trim())) throw new ParseError(expected);
    const value = Number(raw.trim());
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ParseError(expected);
    }
    return value;
  };
}

/** A fraction from 0 to 1 inclusive, such as `0.25`. */
export const fraction: Parser<number> = (raw) => {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ParseError("a number from 0 to 1, such as 0.25");
  }
  return value;
};

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/**
 * A duration such as `250ms`, `30s`, `1m30s` or `1h`, or a bare number of seconds (`60`, as
 * gcloud reads it), returned in milliseconds.
 */
export function duration(maxMs = 24 * 3_600_000): Parser<number> {
  const expected = `a duration such as 250ms, 30s, 1m30s or a number of seconds (at most ` +
    `${maxMs / 1000}s)`;
  return (raw) => {
    const text = raw.trim();
    let ms: number;
    if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else {
      ms = 0;
      DURATION_PART.lastIndex = 0;
      let parts = 0;
      for (let m = DURATION_PART.exec(text); m; m = DURATION_PART.exec(text)) {
        ms += Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS];
        parts++;
        if (DURATION_PART.lastIndex === text.length) break;
      }
      if (parts === 0 || DURATION_PART.lastIndex !== text.length) throw new ParseError(expected);
    }
    if (!Number.isFinite(ms) || ms > maxMs) throw new ParseError(expected);
    return Math.round(ms);
  };
}

/**
 * A time limit: a duration of at least 1 ms (as {@linkcode duration} reads it), or `off` for
 * none (returned as 0). `0`, or a value that rounds to 0 ms, is refused: it would silently
 * disable the limit.
 */
export function limit(maxMs: number): Parser<number> {
  const read = duration(maxMs);
  const expected = `a duration from 1ms to ${maxMs / 1000}s such as 250ms or 30s, or off for ` +
    "no limit";
  return (raw) => {
    if (raw.trim().toLowerCase() === "off") return 0;
    let ms: number;
    try {
      ms = read(raw);
    } catch {
      throw new ParseError(expected);
    }
    if (ms < 1) throw new ParseError(expected);
    return ms;
  };
}

/** A positive number, fractions allowed (`0.5`), within `max`. */
export function positive(max: number): Parser<number> {
  const expected = `a number above 0, such as 0.5 or 200 (at most ${max})`;
  return (raw) => {
    const value = Number(raw.trim());
    if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > max) {
      throw new ParseError(expected);
    }
    return value;
  };
}

/** LogTape's level names, also in capitals, with `warn` for `warning`. */
export function logLevel<const T extends readonly string[]>(levels: T): Parser<T[number]> {
  const words = oneOf(levels);
  return (raw) => {
    const text = raw.trim().toLowerCase();
    return words(text === "warn" ? "warning" : text);
  };
}

/** One of a fixed list of words (an `as const` tuple gives both the type and the parser). */
export function oneOf<const T extends readonly string[]>(choices: T): Parser<T[number]> {
  return (raw) => {
    const value = raw.trim();
    if (!(choices as readonly string[]).includes(value)) {
      throw new ParseError(`one of ${choices.join(", ")}`);
    }
    return value as T[number];
  };
}

/** A Pub/Sub topic or subscription ID: 3–255 of `A-Z a-z 0-9 - _ . ~ + %`, starting with a letter. */
export const resourceId: Parser<string> = (raw) => {
  if (!/^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/.test(raw) || raw.startsWith("goog")) {
    throw new ParseError(
      "3 to 255 letters, digits or - _ . ~ + %, starting with a letter and not with 'goog'",
    );
  }
  return raw;
};

/** A Google Cloud project ID: 6–30 lowercase letters, digits or hyphens, starting with a letter. */
export const projectId: Parser<string> = (raw) => {
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(raw)) {
    throw new ParseError("6 to 30 lowercase letters, digits or hyphens, starting with a letter");
  }
  return raw;
};

/** One word or ID without spaces, such as `rejected` or an event ID (1 to 200 characters). */
export const word: Parser<string> = (raw) => {
  const text = raw.trim();
  if (!/^\S{1,200}$/.test(text)) throw new ParseError("one word without spaces, such as rejected");
  return text;
};

/** `attribute:NAME` or `field:NAME`: where an event's key comes from. */
export const keySource: Parser<{ from: "attribute" | "field"; name: string }> = (raw) => {
  const match = /^(attribute|field):(\S{1,256})$/.exec(raw.trim());
  if (!match) throw new ParseError("attribute:NAME or field:NAME, such as field:userID");
  return { from: match[1] as "attribute" | "field", name: match[2] as string };
};

/** A rate per second: `200/s`, `0.5/s` or a bare number (`200`). */
export const perSecond: Parser<number> = (raw) => {
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(raw.trim());
  const value = Number(match?.[1]);
  if (!match || !(value > 0) || value > 1_000_000) {
    throw new ParseError("a rate such as 200/s or 0.5/s (above 0, at most 1000000/s)");
  }
  return value;
};

/** An event type name, such as `OrderPlaced` or `com.example.order.placed`. */
export const eventType: Parser<string> = (raw) => {
  const text = raw.trim();
  if (!/^[A-Za-z][A-Za-z0-9._:/-]{0,127}$/.test(text)) {
    throw new ParseError(
      "an event type name of letters, digits and . _ : / -, starting with a letter, such as " +
        "OrderPlaced",
    );
  }
  return text;
};

/** A non-empty file path, or `-` for standard input. */
export const path: Parser<string> = (raw) => {
  if (raw.trim() === "") throw new ParseError("a file path, or - for standard input");
  return raw;
};

/** A yes/no switch: `true`, `false`, `1`, `0`, `yes` or `no`. */
export const boolean: Parser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ParseError("true or false");
};

const SIZE_UNITS = { B: 1, KiB: 1024, MiB: 1024 * 1024 } as const;

/** A size in bytes: `65536`, `64KiB` or `1MiB`. */
export function size(maxBytes: number): Parser<number> {
  const expected = `a size such as 65536, 64KiB or 1MiB (at most ${maxBytes} bytes)`;
  return (raw) => {
    const match = /^(\d+)(B|KiB|MiB)?$/.exec(raw.trim());
    if (!match) throw new ParseError(expected);
    const bytes = Number(match[1]) * SIZE_UNITS[(match[2] ?? "B") as keyof typeof SIZE_UNITS];
    if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > maxBytes) {
      throw new ParseError(expected);
    }
    return bytes;
  };
}

/** An RFC 3339 date-time with offset, such as `2026-11-27T09:30:00Z`, as a `Date`. */
export const timestamp: Parser<Date> = (raw) => {
  const text = raw.trim();
  const ok = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text);
  const ms = Date.parse(text);
  if (!ok || Number.isNaN(ms)) {
    throw new ParseError("an RFC 3339 time with offset, such as 2026-11-27T09:30:00Z");
  }
  return new Date(ms);
};

/** A shared secret: at least 16 characters, from those a header carries as they are. */
export const token: Parser<string> = (raw) => {
  const text = raw.trim();
  if (!/^[A-Za-z0-9._~+/=-]{16,}$/.test(text)) {
    throw new ParseError(
      "a token of at least 16 characters from A-Z, a-z, 0-9 and -._~+/= (e.g. from " +
        "`openssl rand -base64 24`)",
    );
  }
  return text;
};
