// Small helpers the console's pages share: elements, formats and the API.

/** An element: `attrs` sets attributes (class, title, data-*), `on*` listeners; children are
 * nodes or text (never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Sets the text of the element with `id`. */
export function setText(id, text) {
  const node = document.getElementById(id);
  if (node && node.textContent !== String(text)) node.textContent = String(text);
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** Formats for people. */
export const fmt = {
  int: (n) => (n === null || n === undefined ? "–" : integer.format(n)),
  rate: (
    n,
  ) => (n === null || n === undefined ? "–" : n >= 100 ? integer.format(n) : oneDecimal.format(n)),
  ms(n) {
    if (n === null || n === undefined) return "–";
    if (n < 1) return `${oneDecimal.format(n * 1000)} µs`;
    if (n < 1000) return `${n >= 100 ? integer.format(n) : oneDecimal.format(n)} ms`;
    return fmt.age(n);
  },
  /** Times sharing one unit when all are under a second: `21.5 · 25.6 · 33.2 ms`. */
  msList(values) {
    if (values.some((v) => v >= 1000 || v < 1)) return values.map((v) => fmt.ms(v)).join(" · ");
    return `${
      values.map((v) => (v >= 100 ? integer.format(v) : oneDecimal.format(v))).join(" · ")
    } ms`;
  },
  age(ms) {
    if (ms < 1000) return `${integer.format(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${oneDecimal.format(s)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  },
  time: (epochMs) => new Date(epochMs).toLocaleTimeString([], { hour12: false }),
};

const TOKEN_KEY = "event-tool-console-token";

/** The token this tab was unlocked with (kept in this tab's session storage only). */
export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  },
  set token(value) {
    if (value === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  },
};

/** Calls the console's API; actions send the token. Resolves `{ ok, status, data }`. */
export async function api(path, { method = "GET", body, token } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`api/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (error) {
    return {
      ok: false,
      status: 0,
      data: { error: `the worker did not answer (${error.message})` },
    };
  }
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

/** A titled panel with an optional note in its heading. */
export function panel(title, { note, className } = {}, ...children) {
  return el(
    "section",
    { class: `panel ${className ?? ""}` },
    el("h2", {}, title, note ? el("span", { class: "note" }, note) : null),
    ...children,
  );
}

/** A stat tile: a label, a big value (id `valueId`) and a small line (id `${valueId}-sub`). */
export function tile(label, valueId, { title, tone, className } = {}) {
  return el(
    "div",
    { class: `tile ${tone ?? ""} ${className ?? ""}`, title },
    el("div", { class: "label" }, label),
    el("div", { class: "value", id: valueId }, "–"),
    el("div", { class: "sub", id: `${valueId}-sub` }, ""),
  );
}

/** A table with a header row (`[label, className]` per column) and an empty body `bodyId`. */
export function headedTable(columns, bodyId, className = "compact") {
  return el(
    "table",
    { class: className },
    el(
      "thead",
      {},
      el("tr", {}, ...columns.map(([label, cls]) => el("th", { class: cls }, label))),
    ),
    el("tbody", { id: bodyId }),
  );
}

/** A body row that says there is nothing to list. */
export function emptyRow(columns, text, className = "muted") {
  return el("tr", {}, el("td", { colspan: columns, class: className }, text));
}

/** A scrolling list (`table.list`) with a header row of `labels` (those at `numeric` right-aligned)
 * and an empty body `bodyId`; returns the box and the body. */
export function scrollingList(labels, bodyId, numeric = []) {
  const table = headedTable(
    labels.map((label, i) => [label, numeric.includes(i) ? "num" : ""]),
    bodyId,
    "list",
  );
  return { box: el("div", { class: "scroll" }, table), body: table.tBodies[0] };
}
