// Cluster: this node and the nodes it is connected to (API.md sections 10
// and 11), from /api/v1/cluster/health and each node's info, read again
// every two seconds while the page is open. A node started without --sname
// is a cluster of one, and the page says how to make it more.
import { h, clear, statusLine, fmtBytes, fmtNum } from "../dom.js";
import { get } from "../api.js";

const REFRESH_MS = 2000;

function nodeRow(n, info) {
  return h("tr", { "data-node": n.node },
    h("td", {}, h("strong", {}, n.node), n.self ? h("span", { class: "muted" }, " (this node)") : null),
    h("td", {}, n.status || (n.connected ? "connected" : "—")),
    h("td", { class: "num" }, fmtNum(info?.process_count)),
    h("td", { class: "num" }, fmtBytes(info?.memory?.total)),
    h("td", { class: "num" }, fmtNum(info?.run_queue)),
    h("td", {}, (n.reasons || []).join("; ")));
}

export function mount(el) {
  const status = statusLine();
  const summary = h("p");
  const body = h("tbody");
  el.append(h("h1", {}, "Cluster"), summary, status,
    h("table", { class: "cluster" },
      h("thead", {}, h("tr", {}, ["node", "status", "processes", "memory", "run queue", "reasons"].map((t) => h("th", {}, t)))),
      body));
  let timer = null, stopped = false;
  async function refresh() {
    try {
      const health = (await get("/api/v1/cluster/health")).data;
      const infos = await Promise.all(health.nodes.map((n) =>
        get(`/api/v1/cluster/nodes/${encodeURIComponent(n.node)}/info`).then((r) => r.data, () => null)));
      if (stopped) return;
      clear(summary).append(health.distributed
        ? `${health.node}: connected to ${health.connected} node${health.connected === 1 ? "" : "s"}.`
        : h("span", {}, `${health.node}: not distributed, a cluster of one. Start otplab with `,
            h("code", {}, "--sname NAME --cookie C"), " to let other otplab or Erlang nodes join."));
      clear(body).append(...health.nodes.map((n, i) => nodeRow(n, infos[i])));
      status.show("");
      el.dataset.ready = "1";
    } catch (err) {
      status.show(`Cannot read the cluster: ${err.message}`, "error");
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
