// Recent outcomes: the last 1,000 events that were not acked, filtered, found by ID.
import { api, el, emptyRow, fmt, panel, scrollingList } from "./ui.js";

function options(values, all) {
  return [el("option", { value: "" }, all), ...values.map((v) => el("option", { value: v }, v))];
}

function row(entry) {
  return el(
    "tr",
    { "data-seq": entry.seq },
    el("td", { class: "nowrap" }, fmt.time(entry.at)),
    el("td", {}, el("span", { class: `badge ${entry.outcome}` }, entry.outcome)),
    el("td", { class: "nowrap" }, entry.reason ?? ""),
    el("td", { class: "detail" }, entry.detail ?? ""),
    el("td", { class: "num" }, entry.attempt),
    el("td", { class: "mono" }, entry.key ?? ""),
    el("td", { class: "mono id" }, entry.eventID ?? "(none)"),
    el("td", { class: "mono" }, entry.messageId),
  );
}

export const outcomesTab = {
  id: "outcomes",
  title: "Recent outcomes",
  create() {
    const outcome = el("select", { id: "filter-outcome", "aria-label": "Outcome" });
    const reason = el("select", { id: "filter-reason", "aria-label": "Reason" });
    const find = el("input", {
      id: "find",
      type: "search",
      placeholder: "Find an event ID or message ID",
      "aria-label": "Find by event ID or message ID",
      autocomplete: "off",
      spellcheck: "false",
    });
    const summary = el("span", { class: "muted", id: "outcomes-summary" }, "");
    const list = scrollingList(
      ["Time", "Outcome", "Reason", "Detail", "Attempt", "Key", "Event ID", "Message ID"],
      "outcomes-body",
      [4],
    );
    const body = list.body;
    const element = el(
      "div",
      { class: "page outcomes" },
      panel(
        "Recent outcomes",
        { note: "events not acked: nacked, dead-lettered" },
        el("div", { class: "toolbar" }, outcome, reason, find, summary),
        list.box,
      ),
    );
    let seen = -1;
    let visible = false;
    let loading = false;
    let again = false;
    let capacity = 1000;

    async function load() {
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      const query = new URLSearchParams();
      if (outcome.value) query.set("outcome", outcome.value);
      if (reason.value) query.set("reason", reason.value);
      if (find.value.trim()) query.set("find", find.value.trim());
      const { ok, data } = await api(`outcomes?${query}`);
      loading = false;
      if (!ok) {
        summary.textContent = data.error ?? "could not read the outcomes";
      } else {
        seen = data.total;
        render(data);
      }
      if (again) {
        again = false;
        void load();
      }
    }

    function render(data) {
      const filtered = outcome.value || reason.value || find.value.trim();
      summary.textContent = `${fmt.int(data.matched)} ${filtered ? "match" : "kept"} of the last ${
        fmt.int(data.kept)
      } · ${fmt.int(data.total)} since start`;
      if (data.entries.length > 0) {
        body.replaceChildren(...data.entries.map(row));
        return;
      }
      const text = find.value.trim()
        ? `No outcome with ID ${find.value.trim()} among the last ${
          fmt.int(capacity)
        } kept. Acked events are not kept; the worker's log has every outcome.`
        : data.total === 0
        ? "Nothing failed since the worker started."
        : "No outcome matches these filters.";
      body.replaceChildren(emptyRow(8, text, "empty"));
    }

    let timer;
    for (const control of [outcome, reason]) control.addEventListener("change", () => void load());
    find.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 200);
    });
    return {
      element,
      init(facts) {
        capacity = facts.recentCapacity;
        if (outcome.childElementCount === 0) {
          outcome.append(...options(facts.outcomes, "Every outcome"));
          reason.append(...options(facts.reasons, "Every reason"));
        }
      },
      show() {
        visible = true;
        void load();
        find.focus();
      },
      hide() {
        visible = false;
      },
      tick(tick) {
        if (visible && tick.outcomes !== seen) void load();
      },
    };
  },
};
