// Processes: the node's processes as a table, paged, sorted and filtered on
// the server (GET /api/v1/processes?offset=&limit=&sort=&q=), so it stays
// quick with very many processes. A pid opens the process panel.
import { h, clear, fmtBytes, fmtNum, statusLine } from "../dom.js";
import { get } from "../api.js";
import { openProcessPanel } from "./process_panel.js";

const COLUMNS = [
  { key: "pid", label: "pid", sort: "pid" },
  { key: "name", label: "name", sort: "name" },
  { key: "status", label: "status" },
  { key: "memory", label: "memory", sort: "memory", num: true, fmt: fmtBytes },
  { key: "reductions", label: "reductions", sort: "reductions", num: true, fmt: fmtNum },
  { key: "message_queue_len", label: "mailbox", sort: "message_queue_len", num: true, fmt: fmtNum },
  { key: "current_location", label: "current location" },
];

export function mount(el) {
  const view = { offset: 0, limit: 50, sort: "pid", q: "" };
  const status = statusLine();
  const q = h("input", { type: "search", name: "q", placeholder: "Filter by pid, name or label", "aria-label": "Filter processes" });
  const limit = h("select", { name: "limit", "aria-label": "Rows per page" },
    [5, 25, 50, 100, 500].map((n) => h("option", { value: n, selected: n === view.limit }, `${n} per page`)));
  const range = h("span", { class: "range", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "prev" }, "← previous");
  const next = h("button", { type: "button", class: "next" }, "next →");
  const auto = h("input", { type: "checkbox", id: "auto-refresh" });
  const head = h("tr");
  const body = h("tbody");
  el.append(h("h1", {}, "Processes"),
    h("div", { class: "toolbar" }, q, limit,
      h("button", { type: "button", onclick: () => load() }, "refresh"),
      h("label", {}, auto, " refresh every 2 s")),
    status, h("table", { class: "procs" }, h("thead", {}, head), body),
    h("div", { class: "pager" }, prev, range, next));

  function renderHead() {
    clear(head);
    for (const c of COLUMNS) {
      const sorted = c.sort && view.sort === c.sort;
      const th = h("th", { scope: "col", class: c.num ? "num" : null, "data-sort": c.sort,
        "aria-sort": sorted ? (c.num ? "descending" : "ascending") : c.sort ? "none" : null });
      if (c.sort) {
        th.append(h("button", { type: "button", class: "sort", title: c.num ? "sort, largest first" : "sort",
          onclick: () => { view.sort = c.sort; view.offset = 0; load(); } }, c.label, sorted ? (c.num ? " ▼" : " ▲") : ""));
      } else th.append(c.label);
      head.append(th);
    }
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const params = new URLSearchParams({ offset: view.offset, limit: view.limit, sort: view.sort });
    if (view.q) params.set("q", view.q);
    let res;
    try {
      res = await get(`/api/v1/processes?${params}`);
    } catch (err) {
      status.show(`Cannot list the processes: ${err.message}`, "error");
      return;
    }
    if (mine !== seq) return;                 // a newer request is on its way
    status.show("");
    renderHead();
    clear(body);
    for (const p of res.data) {
      body.append(h("tr", { "data-pid": p.pid, "data-memory": p.memory },
        COLUMNS.map((c) => {
          if (c.key === "pid") return h("td", {}, h("button", { type: "button", class: "pid link", onclick: () => openProcessPanel(p.pid) }, p.pid));
          const v = p[c.key];
          return h("td", { class: c.num ? "num" : null }, c.fmt ? c.fmt(v) : v ?? "—");
        })));
    }
    if (!res.data.length) body.append(h("tr", {}, h("td", { colspan: COLUMNS.length }, view.q ? "No process matches." : "No process.")));
    const first = res.total ? view.offset + 1 : 0;
    range.textContent = `${first}–${view.offset + res.data.length} of ${res.total}`;
    prev.disabled = view.offset === 0;
    next.disabled = view.offset + res.data.length >= res.total;
    el.dataset.ready = "1";
  }

  prev.addEventListener("click", () => { view.offset = Math.max(0, view.offset - view.limit); load(); });
  next.addEventListener("click", () => { view.offset += view.limit; load(); });
  limit.addEventListener("change", () => { view.limit = Number(limit.value); view.offset = 0; load(); });
  let debounce;
  q.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { view.q = q.value.trim(); view.offset = 0; load(); }, 200);
  });
  let timer = null;
  auto.addEventListener("change", () => {
    clearInterval(timer);
    timer = auto.checked ? setInterval(load, 2000) : null;
  });
  load();
  return () => { clearInterval(timer); clearTimeout(debounce); };
}
