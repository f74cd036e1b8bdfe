// Dead letters: what the dead-letter subscription holds, grouped by reason, with reason, detail
// and attempt; requeue one, a selection or every one of a reason (actions unlocked), after a
// confirmation that says how many, with its progress pushed while it runs.
import { api, el, emptyRow, fmt, panel, scrollingList } from "./ui.js";

const COLUMNS = 9;

/** When it was dead-lettered: the time today, else the date and time. */
function when(at) {
  const date = new Date(at);
  const today = date.toDateString() === new Date().toDateString();
  return today ? fmt.time(at) : `${date.toLocaleDateString()} ${fmt.time(at)}`;
}

function confirmDialog() {
  const text = el("p", { id: "requeue-confirm-text" });
  const go = el("button", { type: "submit", id: "requeue-go" }, "Requeue");
  const dialog = el(
    "dialog",
    { id: "requeue-confirm" },
    el(
      "form",
      { method: "dialog" },
      el("h2", {}, "Requeue dead letters"),
      text,
      el(
        "div",
        { class: "buttons" },
        el("button", {
          type: "button",
          class: "quiet",
          id: "requeue-cancel",
          onclick: () => dialog.close("cancel"),
        }, "Cancel"),
        go,
      ),
    ),
  );
  document.body.append(dialog);
  /** Asks; resolves true when confirmed. */
  return (message, count) =>
    new Promise((resolve) => {
      text.textContent = message;
      go.textContent = `Requeue ${fmt.int(count)}`;
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue !== "cancel"), {
        once: true,
      });
      dialog.showModal();
    });
}

export const deadLettersTab = {
  id: "dead-letters",
  title: "Dead letters",
  create(context) {
    const reason = el("select", { id: "dl-reason", "aria-label": "Reason" });
    const refresh = el("button", {
      class: "quiet",
      id: "dl-refresh",
      onclick: () => void load(),
    }, "Refresh");
    const summary = el("span", { class: "muted", id: "dl-summary" }, "");
    const groups = el("div", { id: "dl-groups" });
    const actions = el("div", { class: "toolbar", id: "dl-actions" });
    const list = scrollingList(
      ["", "Dead-lettered", "Reason", "Detail", "Attempt", "Key", "Event ID", "Message ID", ""],
      "dl-body",
      [4],
    );
    const body = list.body;
    const element = el(
      "div",
      { class: "page dead-letters" },
      el("div", { class: "toolbar" }, reason, refresh, summary),
      el(
        "div",
        { class: "row dl" },
        panel("By reason", { note: "all of them" }, groups),
        panel(
          "Dead letters",
          { note: "newest first; nothing is acked by reading", className: "list" },
          actions,
          list.box,
        ),
      ),
    );
    const confirm = confirmDialog();
    let view;
    let loading = false;
    let running = false;
    const selected = new Set();
    /** What the last requeue said: kept when the tab is drawn again. */
    let outcome = { text: "", tone: "muted" };
    const progress = el("progress", { id: "requeue-progress", max: 1, value: 0, hidden: true });
    const progressText = el("span", { class: "muted", id: "requeue-progress-text" }, "");

    context.stream.addEventListener("requeue", (event) => {
      const { done, total, ended } = JSON.parse(event.data);
      const was = running;
      running = !ended;
      progress.hidden = !running;
      progress.max = Math.max(total, 1);
      progress.value = done;
      progressText.textContent = running ? `requeued ${fmt.int(done)} of ${fmt.int(total)}` : "";
      if (was !== running) render(); // actions off while one runs (here or in another page)
    });

    async function load() {
      if (loading) return;
      loading = true;
      refresh.disabled = true;
      const query = new URLSearchParams();
      if (reason.value) query.set("reason", reason.value);
      const { ok, data } = await api(`dead-letters?${query}`);
      loading = false;
      refresh.disabled = false;
      if (!ok) {
        summary.textContent = data.error ?? "could not read the dead letters";
        summary.className = "bad";
        return;
      }
      summary.className = "muted";
      view = data;
      running = data.requeue !== null;
      for (const id of [...selected]) {
        if (!data.entries.some((e) => e.messageId === id)) selected.delete(id);
      }
      render();
    }

    async function requeue(selection, count, what) {
      const sub = view.subscription;
      const ok = await confirm(
        `Requeue ${fmt.int(count)} dead letter${
          count === 1 ? "" : "s"
        } (${what}) to ${view.topic}? ` +
          `Each is published again as it was first published (attributes and ordering key), ` +
          `then removed from ${sub}.`,
        count,
      );
      if (!ok) return;
      outcome = { text: `requeuing ${fmt.int(count)}…`, tone: "muted" };
      render();
      const { ok: done, status, data } = await api("dead-letters/requeue", {
        method: "POST",
        body: { ...selection, expect: count },
        token: context.token,
      });
      if (status === 401) context.lock(); // the worker no longer takes this token
      outcome = done
        ? {
          text: `requeued ${fmt.int(data.requeued)} to ${data.topic}; ${
            fmt.int(data.remaining)
          } remain on ${sub}`,
          tone: "ok",
        }
        : { text: data.error ?? `refused (${status})`, tone: "bad" };
      if (done) selected.clear();
      await load();
    }

    function button(action, label, onclick, attrs = {}) {
      return el("button", {
        "data-action": action,
        disabled: running,
        onclick,
        ...attrs,
      }, label);
    }

    function renderGroups() {
      const unlocked = context.actions === "unlocked";
      groups.replaceChildren(
        view.byReason.length === 0
          ? el("p", { class: "ok" }, "No dead letter: nothing failed for good.")
          : el(
            "table",
            { class: "compact" },
            el(
              "tbody",
              {},
              ...view.byReason.map(([name, count]) =>
                el(
                  "tr",
                  {},
                  el("th", {}, el("span", { class: "badge dead-lettered" }, name)),
                  el("td", { class: "num", "data-reason": name }, fmt.int(count)),
                  el(
                    "td",
                    { class: "num" },
                    unlocked
                      ? button(
                        "requeue-reason",
                        `Requeue all ${fmt.int(count)}`,
                        () => void requeue({ reason: name }, count, `every one of reason ${name}`),
                        { class: "quiet", "data-reason": name },
                      )
                      : "",
                  ),
                )
              ),
            ),
          ),
      );
    }

    function renderActions() {
      const result = el("span", { class: outcome.tone, id: "requeue-result" }, outcome.text);
      if (context.actions !== "unlocked") {
        actions.replaceChildren(result);
        return;
      }
      const count = selected.size;
      actions.replaceChildren(
        button(
          "requeue-selected",
          `Requeue selected (${fmt.int(count)})`,
          () => void requeue({ messageIds: [...selected] }, count, "selected"),
          { id: "requeue-selected", disabled: running || count === 0 },
        ),
        progress,
        progressText,
        result,
      );
    }

    function row(entry, unlocked) {
      const check = unlocked
        ? el("input", {
          type: "checkbox",
          "data-action": "select",
          "aria-label": `Select ${entry.messageId}`,
          checked: selected.has(entry.messageId),
          onchange: (event) => {
            if (event.target.checked) selected.add(entry.messageId);
            else selected.delete(entry.messageId);
            renderActions();
          },
        })
        : null;
      return el(
        "tr",
        { "data-id": entry.messageId },
        el("td", {}, check),
        el("td", { class: "nowrap" }, when(entry.at)),
        el("td", {}, el("span", { class: "badge dead-lettered" }, entry.reason)),
        el("td", { class: "detail" }, entry.detail ?? ""),
        el("td", { class: "num" }, entry.attempt ?? "?"),
        el("td", { class: "mono" }, entry.key ?? ""),
        el("td", { class: "mono id" }, entry.eventID ?? "(none)"),
        el(
          "td",
          { class: "mono", title: `original message ${entry.originalMessageId ?? "?"}` },
          entry.messageId,
        ),
        el(
          "td",
          {},
          unlocked
            ? button(
              "requeue-one",
              "Requeue",
              () =>
                void requeue(
                  { messageIds: [entry.messageId] },
                  1,
                  `event ${entry.eventID ?? entry.messageId}`,
                ),
              { class: "quiet" },
            )
            : null,
        ),
      );
    }

    function render() {
      if (!view) return;
      const current = reason.value;
      reason.replaceChildren(
        el("option", { value: "" }, `Every reason (${fmt.int(view.total)})`),
        ...view.byReason.map(([name, count]) =>
          el("option", { value: name }, `${name} (${fmt.int(count)})`)
        ),
      );
      if (current && !view.byReason.some(([name]) => name === current)) {
        reason.append(el("option", { value: current }, `${current} (0)`));
      }
      reason.value = current;
      summary.textContent = `${fmt.int(view.total)} on ${view.subscription} · ${
        fmt.int(view.entries.length)
      } of ${fmt.int(view.matched)} listed · read ${fmt.time(Date.parse(view.readAt))}`;
      renderGroups();
      renderActions();
      const unlocked = context.actions === "unlocked";
      const entries = [...view.entries].sort((a, b) => b.at - a.at);
      body.replaceChildren(
        ...(entries.length === 0
          ? [emptyRow(COLUMNS, "No dead letter matches.", "empty")]
          : entries.map((entry) => row(entry, unlocked))),
      );
    }

    reason.addEventListener("change", () => void load());
    context.onActions(() => render());
    return { element, show: () => void load() };
  },
};
