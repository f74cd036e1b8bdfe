// The subscription: its settings and their drift from the worker's, and snapshots (create one
// when actions are unlocked).
import { api, el, fmt, panel } from "./ui.js";

function subscriptionPanel(info, index) {
  const role = index === 0 ? "subscription" : "dead-letter subscription";
  if (!info.exists) {
    return panel(
      info.name,
      { note: `${role}: missing` },
      el("p", { class: "bad" }, "This subscription does not exist: run event-tool setup."),
    );
  }
  const drifted = new Map(info.drift.map((d) => [d.setting, d]));
  return panel(
    info.name,
    { note: `${role} on topic ${info.topic}` },
    el(
      "table",
      { class: "compact settings" },
      el(
        "tbody",
        {},
        ...info.settings.map(([setting, value]) => {
          const drift = drifted.get(setting);
          return el(
            "tr",
            { class: drift ? "drift" : "" },
            el("th", {}, setting),
            el("td", {}, value),
            el(
              "td",
              { class: "muted" },
              drift ? `this worker's settings want ${drift.wanted}: ${drift.fix}` : "",
            ),
          );
        }),
      ),
    ),
    info.drift.length === 0 ? el("p", { class: "ok" }, "Matches this worker's settings.") : el(
      "p",
      { class: "warn" },
      `${info.drift.length} setting(s) differ from this worker's (what event-tool status shows).`,
    ),
  );
}

export const subscriptionTab = {
  id: "subscription",
  title: "Subscription",
  create(context) {
    const body = el(
      "div",
      { class: "stack" },
      el("p", { class: "muted" }, "Reading from Pub/Sub…"),
    );
    const refresh = el("button", {
      class: "quiet",
      id: "subscription-refresh",
      onclick: () => void load(),
    }, "Refresh");
    const element = el(
      "div",
      { class: "page subscription" },
      el("div", { class: "toolbar" }, el("span", { id: "target", class: "muted" }, ""), refresh),
      body,
    );
    let view;
    /** What the last action said: kept when the tab is drawn again. */
    let outcome = { text: "", tone: "muted" };

    async function load() {
      refresh.disabled = true;
      const { ok, data } = await api("subscription");
      refresh.disabled = false;
      if (!ok) {
        body.replaceChildren(
          el("p", { class: "bad" }, data.error ?? "could not read the subscription"),
        );
        return;
      }
      view = data;
      render();
    }

    function snapshotForm() {
      const name = el("input", {
        id: "snapshot-name",
        placeholder: "before-deploy",
        "aria-label": "Snapshot name",
        autocomplete: "off",
        spellcheck: "false",
        required: true,
      });
      const result = el("span", { class: outcome.tone, id: "snapshot-result" }, outcome.text);
      const form = el(
        "form",
        {
          class: "inline",
          "data-action": "create-snapshot",
          onsubmit: async (event) => {
            event.preventDefault();
            const { ok, status, data } = await api("snapshots", {
              method: "POST",
              body: { name: name.value.trim() },
              token: context.token,
            });
            outcome = ok
              ? { text: `created ${data.created}`, tone: "ok" }
              : { text: data.error ?? `refused (${status})`, tone: "bad" };
            result.textContent = outcome.text;
            result.className = outcome.tone;
            if (status === 401) context.lock(); // the worker no longer takes this token
            if (ok) await load();
          },
        },
        name,
        el("button", { type: "submit", id: "snapshot-create" }, "Create snapshot"),
        result,
      );
      return form;
    }

    function render() {
      if (!view) return;
      document.getElementById("target").textContent = `${view.target} · read ${
        fmt.time(Date.parse(view.readAt))
      }`;
      const topics = panel(
        "Topics",
        {},
        el(
          "ul",
          { class: "plain" },
          ...view.topics.map((t) =>
            el(
              "li",
              {},
              el("b", {}, t.name),
              ": ",
              t.exists ? "exists" : el("span", { class: "bad" }, "missing (run event-tool setup)"),
            )
          ),
        ),
      );
      const snapshots = panel(
        "Snapshots",
        { note: "replay --snapshot NAME seeks back to one" },
        view.snapshots.length === 0
          ? el("p", { class: "muted" }, "No snapshot of this topic.")
          : el(
            "table",
            { class: "compact" },
            el("thead", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "expires"))),
            el(
              "tbody",
              {},
              ...view.snapshots.map((s) =>
                el(
                  "tr",
                  {},
                  el("td", { class: "mono" }, s.name),
                  el("td", {}, s.expires ? new Date(s.expires).toLocaleString() : "–"),
                )
              ),
            ),
          ),
        context.actions === "unlocked" ? snapshotForm() : null,
      );
      body.replaceChildren(
        el("div", { class: "row" }, ...view.subscriptions.map(subscriptionPanel)),
        el("div", { class: "row" }, topics, snapshots),
      );
    }

    context.onActions(() => render());
    return { element, show: () => void load() };
  },
};
