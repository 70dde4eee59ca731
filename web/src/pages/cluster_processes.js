// The cluster's processes (GET /api/v1/cluster/processes): paged and
// sorted on the server, filterable by node and by text; a node that could
// not be asked is said, with its reason, under the table.
import { h, clear, fmtBytes, fmtNum } from "../dom.js";
import { get } from "../api.js";

const COLUMNS = [
  { key: "node", label: "node" },
  { key: "pid", label: "pid", sort: "pid" },
  { key: "name", label: "name", sort: "name" },
  { key: "memory", label: "memory", sort: "memory", num: true, fmt: fmtBytes },
  { key: "reductions", label: "reductions", sort: "reductions", num: true, fmt: fmtNum },
  { key: "message_queue_len", label: "mailbox", sort: "message_queue_len", num: true, fmt: fmtNum },
];

export function mountClusterProcesses(el, status) {
  const view = { offset: 0, limit: 25, sort: "pid", q: "", node: "" };
  const node = h("select", { name: "node", "aria-label": "Only the processes of this node" }, h("option", { value: "" }, "every node"));
  const q = h("input", { type: "search", name: "q", placeholder: "Filter by pid, name or label", "aria-label": "Filter the cluster's processes" });
  const range = h("span", { class: "range", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "prev" }, "← previous");
  const next = h("button", { type: "button", class: "next" }, "next →");
  const head = h("tr");
  const body = h("tbody");
  const notes = h("ul", { class: "cluster-notes muted" });
  el.append(h("h2", {}, "Processes across the cluster"),
    h("div", { class: "toolbar" }, node, q, h("button", { type: "button", onclick: () => load() }, "refresh")),
    h("table", { class: "procs cluster-procs" }, h("thead", {}, head), body),
    h("div", { class: "pager" }, prev, range, next), notes);

  for (const c of COLUMNS) {
    head.append(h("th", { scope: "col", class: c.num ? "num" : null },
      c.sort ? h("button", { type: "button", class: "sort", onclick: () => { view.sort = c.sort; view.offset = 0; load(); } }, c.label) : c.label));
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const params = new URLSearchParams({ offset: view.offset, limit: view.limit, sort: view.sort });
    if (view.q) params.set("q", view.q);
    if (view.node) params.set("node", view.node);
    let res;
    try {
      res = await get(`/api/v1/cluster/processes?${params}`);
    } catch (err) {
      if (mine === seq) status.show(`Cannot list the cluster's processes: ${err.message}`, "error");
      return;
    }
    if (mine !== seq) return;
    clear(body);
    for (const p of res.data) {
      body.append(h("tr", { "data-node": p.node, "data-pid": p.pid },
        COLUMNS.map((c) => h("td", { class: c.num ? "num" : null }, c.fmt ? c.fmt(p[c.key]) : p[c.key] ?? "—"))));
    }
    if (!res.data.length) body.append(h("tr", {}, h("td", { colspan: COLUMNS.length }, "No process matches.")));
    range.textContent = `${res.total ? view.offset + 1 : 0}–${view.offset + res.data.length} of ${res.total}`;
    prev.disabled = view.offset === 0;
    next.disabled = view.offset + res.data.length >= res.total;
    clear(notes).append(...res.not_listed.map((n) => h("li", { "data-node": n.node },
      n.partial ? `${n.node}: ${n.reason} (of ${n.total})` : `${n.node}: not listed, ${n.reason}`)));
    el.dataset.ready = "1";
  }

  prev.addEventListener("click", () => { view.offset = Math.max(0, view.offset - view.limit); load(); });
  next.addEventListener("click", () => { view.offset += view.limit; load(); });
  node.addEventListener("change", () => { view.node = node.value; view.offset = 0; load(); });
  let debounce;
  q.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { view.q = q.value.trim(); view.offset = 0; load(); }, 200);
  });
  load();
  return {
    load,
    // The node choices follow the cluster; a chosen node that left stays chosen (its rows are gone).
    setNodes(names) {
      const want = ["", ...names];
      const have = [...node.options].map((o) => o.value);
      if (JSON.stringify(want) === JSON.stringify(have)) return;
      const chosen = node.value;
      clear(node).append(...want.map((n) => h("option", { value: n, selected: n === chosen }, n || "every node")));
    },
    destroy() { clearTimeout(debounce); },
  };
}
