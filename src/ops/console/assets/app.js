// The console page: tabs, the live stream that feeds them, and the unlock of actions.
import { api, el, fmt, session, setText } from "./ui.js";
import { liveTab } from "./live.js";
import { outcomesTab } from "./outcomes.js";
import { subscriptionTab } from "./subscription.js";

/** The pages, in the order of the tab bar; each is `{ id, title, create(context) }`. */
const TABS = [liveTab, outcomesTab, subscriptionTab];

/** What every page shares: the worker's facts, the latest tick, and the actions' state. */
const context = {
  facts: undefined,
  tick: undefined,
  /** "off" (read-only worker), "locked" or "unlocked". */
  actions: "off",
  token: undefined,
  listeners: new Set(),
  /** Calls `listener` when the actions' state changes. */
  onActions(listener) {
    this.listeners.add(listener);
  },
  /** Forgets the token (the Lock button, or a token the worker refused). */
  lock() {
    session.token = undefined;
    this.setActions("locked");
  },
  setActions(actions, token) {
    this.actions = actions;
    this.token = token;
    for (const listener of this.listeners) listener(actions);
    renderAccess();
  },
};

const pages = new Map();
let current;

function show(id) {
  const next = pages.get(id) ?? pages.get(TABS[0].id);
  if (current === next) return;
  current?.hide?.();
  for (const page of pages.values()) page.element.hidden = page !== next;
  for (const link of document.querySelectorAll("#tabs a")) {
    link.classList.toggle("active", link.dataset.tab === next.id);
    if (link.dataset.tab === next.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  current = next;
  next.show?.();
}

function mount(facts) {
  const main = document.getElementById("main");
  const tabs = document.getElementById("tabs");
  for (const tab of TABS) {
    const page = { id: tab.id, ...tab.create(context) };
    page.element.hidden = true;
    pages.set(tab.id, page);
    main.append(page.element);
    tabs.append(el("a", { href: `#${tab.id}`, "data-tab": tab.id }, tab.title));
  }
  globalThis.addEventListener("hashchange", () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
  setText("where", `${facts.subscription} · ${facts.handler}`);
  setText("foot", `event-tool ${facts.version} · pushed every ${facts.tickMs / 1000} s`);
}

function renderState(tick) {
  const state = document.getElementById("state");
  const [text, tone] = !tick
    ? ["disconnected", "bad"]
    : !tick.state.live
    ? ["not live", "bad"]
    : tick.state.ready
    ? ["ready", "good"]
    : tick.state.connected
    ? ["not ready", "warn"]
    : ["not connected", "warn"];
  state.textContent = text;
  state.className = `pill ${tone}`;
}

function renderAccess() {
  const access = document.getElementById("access");
  access.replaceChildren();
  if (context.actions === "off") {
    access.append(el("span", {
      class: "pill",
      title: "Start the worker with --console-token (or WORKER_CONSOLE_TOKEN) to allow actions",
    }, "read-only"));
  } else if (context.actions === "locked") {
    access.append(
      el("button", { id: "unlock-open", class: "quiet", onclick: openUnlock }, "Unlock actions"),
    );
  } else {
    access.append(
      el("span", { class: "pill good" }, "actions unlocked"),
      el("button", {
        id: "lock",
        class: "quiet",
        onclick: () => context.lock(),
      }, "Lock"),
    );
  }
}

function openUnlock() {
  const dialog = document.getElementById("unlock");
  setText("unlock-error", "");
  document.getElementById("unlock-token").value = "";
  dialog.showModal();
}

async function unlock(token, quiet) {
  const { ok, data } = await api("session", { method: "POST", token });
  if (ok) {
    session.token = token;
    context.setActions("unlocked", token);
    return true;
  }
  if (!quiet) setText("unlock-error", data.error ?? "refused");
  session.token = undefined;
  return false;
}

function wireUnlock() {
  const dialog = document.getElementById("unlock");
  document.getElementById("unlock-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("unlock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = document.getElementById("unlock-token").value.trim();
    if (await unlock(token, false)) dialog.close();
  });
}

function connect() {
  const stream = new EventSource("api/live");
  stream.addEventListener("init", (event) => {
    const { facts, history, tick } = JSON.parse(event.data);
    const first = context.facts === undefined;
    context.facts = facts;
    if (first) {
      mount(facts);
      context.setActions(facts.actions === "off" ? "off" : "locked");
      if (facts.actions !== "off" && session.token) void unlock(session.token, true);
    }
    for (const page of pages.values()) page.init?.(facts, history, tick);
    if (tick) onTick(tick);
  });
  stream.addEventListener("tick", (event) => onTick(JSON.parse(event.data)));
  stream.addEventListener("error", () => {
    renderState(undefined);
    document.title = "event-tool console (disconnected)";
  });
}

function onTick(tick) {
  context.tick = tick;
  renderState(tick);
  const acked = tick.point[context.facts.columns.indexOf("acked")];
  document.title = `${fmt.rate(acked)} acked/s · event-tool console`;
  for (const page of pages.values()) page.tick?.(tick, page === current);
}

wireUnlock();
connect();
