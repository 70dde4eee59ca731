// Cluster: the nodes (API.md sections 10 and 11) drawn as a topology, with
// each node's own figures (from /api/v1/cluster/health) and the processes
// of all of them. The drawing is
// live: the event stream's nodes frames say at once when a peer goes (it
// stays drawn, down, until it comes back) or comes; the figures are read
// again every few seconds. A node started without --sname is a cluster of
// one, and the page says how to make it more.
import { h, clear, statusLine, fmtBytes, fmtNum } from "../dom.js";
import { get } from "../api.js";
import { openEvents } from "../events.js";
import { mountTopology } from "./cluster_graph.js";
import { mountClusterProcesses } from "./cluster_processes.js";

const REFRESH_MS = 5000;
// the page needs only the stream's nodes frames: ask for the rarest trace kind
const QUIET_KINDS = ["sup_shutdown"];

function nodeRow(n, info, down) {
  const state = n.self ? "self" : down ? "down" : n.connected === false ? "via" : "up";
  const said = down ? `down since ${new Date(down).toLocaleTimeString()}` : n.self ? "this node" : n.connected === false ? `seen by ${n.via}` : "connected";
  return h("tr", { "data-node": n.node, "data-state": state },
    h("td", {}, h("strong", {}, n.node)),
    h("td", {}, info?.kind || n.kind || "—"),
    h("td", { class: "state" }, said),
    h("td", { class: "num" }, fmtNum(down ? undefined : info?.process_count)),
    h("td", { class: "num" }, fmtBytes(down ? undefined : info?.memory?.total)),
    h("td", { class: "num" }, fmtNum(down ? undefined : info?.run_queue)),
    h("td", {}, down ? "" : info?.details || (info?.reasons || []).join("; ")));
}

export function mount(el) {
  const status = statusLine();
  const summary = h("p");
  const graphBox = h("div", { class: "graph cluster-graph", role: "img", "aria-label": "The cluster's nodes and connections; the table below lists the same" });
  const body = h("tbody");
  const procBox = h("section", { class: "cluster-processes" });
  el.append(h("h1", {}, "Cluster"), summary, status, graphBox,
    h("table", { class: "cluster" },
      h("thead", {}, h("tr", {}, ["node", "kind", "status", "processes", "memory", "run queue", "details"].map((t) => h("th", { scope: "col" }, t)))),
      body),
    procBox);
  const procs = mountClusterProcesses(procBox, status);
  const down = new Map();          // node -> when it went down (ms), until it comes back
  let topo = null, infos = new Map(), graph = null, stopped = false, timer = null;

  function render() {
    if (!topo) return;
    const nodes = topo.nodes.map((n) => ({ ...n, state: n.self ? "up" : down.has(n.node) ? "down" : n.connected === false ? "via" : "up" }));
    for (const [n] of down) if (!nodes.some((x) => x.node === n)) nodes.push({ node: n, self: false, state: "down" });
    const edges = topo.edges.map((e) => ({ ...e, state: down.has(e.from) || down.has(e.to) ? "down" : "up" }));
    for (const [n] of down) if (!edges.some((e) => e.to === n || e.from === n)) edges.push({ from: topo.node, to: n, state: "down" });
    graph?.draw(nodes, edges);
    clear(body).append(...nodes.map((n) => nodeRow(n, infos.get(n.node), down.get(n.node))));
    const connected = topo.nodes.filter((n) => !n.self && n.connected !== false && !down.has(n.node)).length;
    clear(summary).append(topo.distributed
      ? `${topo.node}: connected to ${connected} node${connected === 1 ? "" : "s"}${down.size ? `; ${down.size} down` : ""}.`
      : h("span", {}, `${topo.node}: not distributed, a cluster of one. Start otplab with `,
          h("code", {}, "--sname NAME --cookie C"), " to let other otplab or Erlang nodes join."));
    procs.setNodes(nodes.filter((n) => n.state !== "via").map((n) => n.node));
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      // the figures come with the health (one request: a node info asked for a
      // peer that just went would be a 404)
      const [t, health] = await Promise.all([get("/api/v1/cluster/topology"), get("/api/v1/cluster/health")]);
      if (stopped) return;
      topo = t.data;
      infos = new Map(health.data.nodes.map((n) => [n.node, n]));
      render();
      status.show("");
      el.dataset.ready = "1";
    } catch (err) {
      status.show(`Cannot read the cluster: ${err.message}`, "error");
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  mountTopology(graphBox).then((g) => {
    if (stopped) return g.destroy();
    graph = g;
    render();
  });
  const stopEvents = openEvents({ kinds: QUIET_KINDS }, (frame) => {
    if (frame.type !== "nodes") return;
    for (const n of frame.down || []) down.set(n, Date.now());
    for (const n of frame.up || []) down.delete(n);
    render();
    refresh();
    procs.load();
  });
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    stopEvents();
    procs.destroy();
    graph?.destroy();
  };
}
