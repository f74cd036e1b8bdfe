// The console page: tabs, the live stream that feeds them, the unlock of actions, and the
// worker's pause (Control).
import { api, el, fmt, session, setText } from "./ui.js";
import { deadLettersTab } from "./dead_letters.js";
import { liveTab } from "./live.js";
import { outcomesTab } from "./outcomes.js";
import { subscriptionTab } from "./subscription.js";

/** The pages, in the order of the tab bar; each is `{ id, title, create(context) }`. */
const TABS = [liveTab, outcomesTab, deadLettersTab, subscriptionTab];
/** The pages that show a worker (absent from `event-tool console`, which runs without one). */
const WORKER_TABS = new Set([liveTab.id, outcomesTab.id]);

/** What every page shares: the worker's facts, the latest tick, and the actions' state. */
const context = {
  facts: undefined,
  tick: undefined,
  /** "off" (read-only worker), "locked" or "unlocked". */
  actions: "off",
  token: undefined,
  /** The live stream: pages listen to its events (`requeue`). */
  stream: undefined,
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
    renderControl();
  },
};

const pages = new Map();
let current;

function show(id) {
  const next = pages.get(id) ?? pages.values().next().value;
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
  for (const tab of TABS.filter((t) => facts.worker || !WORKER_TABS.has(t.id))) {
    const page = { id: tab.id, ...tab.create(context) };
    page.element.hidden = true;
    pages.set(tab.id, page);
    main.append(page.element);
    tabs.append(el("a", { href: `#${tab.id}`, "data-tab": tab.id }, tab.title));
  }
  globalThis.addEventListener("hashchange", () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
  if (facts.worker) {
    setText("where", `${facts.subscription} · ${facts.handler}`);
    setText("foot", `event-tool ${facts.version} · pushed every ${facts.tickMs / 1000} s`);
  } else {
    setText("where", `${facts.subscription} · no worker: dead letters and the subscription`);
    setText("foot", `event-tool ${facts.version} · event-tool console`);
  }
}

/** Why pulling is paused, in words; undefined while it pulls. */
function pausedText(tick) {
  const paused = tick?.state.paused ?? [];
  if (paused.length === 0) return undefined;
  return paused.map((p) => `${p.reason} since ${fmt.time(p.since)}: ${p.detail}`).join("; ");
}

function renderState(tick, disconnected) {
  const state = document.getElementById("state");
  if (!disconnected && context.facts && !context.facts.worker) {
    state.textContent = "console only";
    state.className = "pill";
    state.title = "event-tool console: no worker runs here";
    return;
  }
  const paused = pausedText(tick);
  state.title = paused ? `Pulling paused (${paused})` : "What /readyz and /healthz answer now";
  const [text, tone] = !tick || disconnected
    ? ["disconnected", "bad"]
    : !tick.state.live
    ? ["not live", "bad"]
    : paused
    ? ["paused", "warn"]
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

/** What the page just asked (pause: true), until a tick shows it or for 3 s at most. */
let asked;

/** Whether the operator's pause holds: what the page just asked, else the latest tick. */
function operatorPaused() {
  if (asked && performance.now() < asked.until) return asked.paused;
  return context.tick?.state.paused.some((p) => p.reason === "operator") ?? false;
}

/** The Pause / Resume button: shown once actions are unlocked, on a worker's console. */
function renderControl() {
  const control = document.getElementById("control");
  const show = context.actions === "unlocked" && context.facts?.worker && context.tick;
  const paused = operatorPaused();
  const id = !show ? "" : paused ? "resume" : "pause";
  if (control.dataset.showing === id) return;
  control.dataset.showing = id;
  control.replaceChildren();
  if (!show) return;
  control.append(el("button", {
    id,
    class: "quiet",
    "data-action": id,
    title: paused
      ? "Pull new messages again"
      : "Stop taking new messages; what was received finishes (/readyz fails meanwhile)",
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      const { ok, status, data } = await api(id, { method: "POST", token: context.token });
      if (status === 401) context.lock();
      if (!ok) {
        control.dataset.showing = "";
        control.title = data.error ?? `refused (${status})`;
      } else {
        asked = { paused: id === "pause", until: performance.now() + 3000 };
      }
      renderControl();
    },
  }, paused ? "Resume pulling" : "Pause pulling"));
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
  context.stream = stream;
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
    else if (!facts.worker) renderState(undefined, false);
    if (!facts.worker) document.title = "event-tool console";
  });
  stream.addEventListener("tick", (event) => onTick(JSON.parse(event.data)));
  stream.addEventListener("error", () => {
    renderState(context.tick, true);
    document.title = "event-tool console (disconnected)";
  });
}

function onTick(tick) {
  context.tick = tick;
  // The worker's word wins over what the page last asked for, once a tick shows it.
  if (asked?.paused === tick.state.paused.some((p) => p.reason === "operator")) asked = undefined;
  renderState(tick);
  renderControl();
  const acked = tick.point[context.facts.columns.indexOf("acked")];
  document.title = `${fmt.rate(acked)} acked/s · event-tool console`;
  for (const page of pages.values()) page.tick?.(tick, page === current);
}

wireUnlock();
connect();
