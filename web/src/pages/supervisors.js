// Supervisors: every supervision tree, live. The forest comes in one REST
// call once the event stream is open, then every change comes from the
// stream's tree frames and is applied by id: a restart swaps the child's
// pid in its row (the old one struck out for a moment), bumps the restart
// counts of the child and of the siblings restarted with it, and the
// supervisor's budget meter. The outline is virtualised (supervisors_outline.js),
// searchable and collapsible; the graph draws one tree, or the whole forest
// when it is small enough to lay out. Kill / crash / restart per child go
// through the REST operations; a pid opens its process panel.
import { h, statusLine } from "../dom.js";
import { post, pidPath } from "../api.js";
import { openEvents } from "../events.js";
import { TreeModel } from "./supervisors_model.js";
import { Outline } from "./supervisors_outline.js";
import { openProcessPanel } from "./process_panel.js";

const TREE_KINDS = ["sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"];

export function mount(el) {
  const status = statusLine();
  const restartsSaid = h("p", { class: "sr-only", "aria-live": "polite", "data-role": "restarts-said" });
  const search = h("input", { type: "search", placeholder: "Search by name, id or pid", "aria-label": "Search supervisors and children" });
  const found = h("span", { class: "muted found", "aria-live": "polite" });
  const graphBox = h("div", { class: "graph", hidden: true, role: "img",
    "aria-label": "A supervision tree as a graph; the outline lists the same processes" });
  const graphNote = h("p", { class: "graph-note", hidden: true, role: "status" });
  const graphToggle = h("button", { type: "button", "aria-pressed": "false", "data-action": "graph", onclick: () => toggleGraph() }, "Graph view");
  const model = new TreeModel(onChange, { budgets: true });
  const outline = new Outline({
    toggle: (row) => {
      if (model.collapsed.has(row.sup.pid)) model.collapsed.delete(row.sup.pid);
      else model.collapsed.add(row.sup.pid);
      relist();
    },
    open: (pid) => { if (typeof pid === "string" && pid.startsWith("<")) openProcessPanel(pid); },
    fail: (sup, c, kind) => act(`${kind} ${c.id}`, () =>
      post(`/api/v1/supervisors/${pidPath(sup.pid)}/simulate-failure`, { child: c.id, kind })),
    restart: (sup, c) => act(`restart ${c.id}`, () =>
      post(`/api/v1/supervisors/${pidPath(sup.pid)}/children/${encodeURIComponent(c.id)}/restart`)),
    graph: (sup) => showGraph(sup.pid),
  });
  const head = h("div", { class: "outline-head", "aria-hidden": "true" },
    ["name / id", "pid", "type", "state", "restarts", "actions"].map((t) => h("span", {}, t)));
  el.append(
    h("h1", {}, "Supervisors"),
    h("div", { class: "toolbar" }, search, found,
      h("button", { type: "button", "data-action": "expand-all", onclick: () => setAll(false) }, "Expand all"),
      h("button", { type: "button", "data-action": "collapse-all", onclick: () => setAll(true) }, "Collapse all"),
      graphToggle),
    h("p", { class: "muted keys" }, "Keys in the outline: ↑ ↓ move, → ← open and close, Enter opens the process, Tab reaches the row's buttons."),
    status, restartsSaid, graphNote, graphBox, head, outline.el);
  let graph = null, graphRoot = null, rendered = false;

  function relist() {
    const rows = model.rows(search.value);
    outline.setRows(rows);
    const q = search.value.trim();
    found.textContent = q ? `${model.matchCount} found` : "";
    el.dataset.sups = String(model.sups.size);
  }

  let searchFrame = null;
  search.addEventListener("input", () => {
    cancelAnimationFrame(searchFrame);
    searchFrame = requestAnimationFrame(relist);
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "Enter") {
      ev.preventDefault();
      outline.setActive(0, true);
    }
  });

  function setAll(collapsed) {
    model.collapsed.clear();
    if (collapsed) for (const pid of model.sups.keys()) model.collapsed.add(pid);
    relist();
  }

  async function act(label, fn) {
    status.show(`${label}…`, "busy");
    try {
      await fn();
      status.show(`${label}: done`);
    } catch (err) {
      status.show(`${label}: ${err.message}`, "error");
    }
  }

  // The graph of one supervisor's tree, or of the forest if small enough.
  async function showGraph(rootPid) {
    graphRoot = rootPid ?? null;
    graphToggle.setAttribute("aria-pressed", "true");
    graph?.destroy();
    graph = null;
    graphBox.hidden = false;
    graphNote.hidden = false;
    const { mountGraph, sizeOf, MAX_NODES } = await import("./supervisors_graph.js");
    if (graphToggle.getAttribute("aria-pressed") !== "true") return;
    const result = await mountGraph(graphBox, model, graphRoot);
    if (graphToggle.getAttribute("aria-pressed") !== "true" || graphRoot !== (rootPid ?? null)) return result.destroy();
    graph = result;
    const sup = graphRoot && model.sups.get(graphRoot);
    graphNote.replaceChildren(result.tooMany
      ? `${result.tooMany.toLocaleString("en")} processes are too many to lay out as a graph (the page would stop answering `
        + `for minutes; up to ${MAX_NODES.toLocaleString("en")} are drawn). Press “graph” on a supervisor's row to draw its tree. `
      : `The graph of ${sup ? `${sup.name || sup.pid}'s tree` : "every tree"}: ${result.nodes} processes. `);
    // the supervisor of the outline's current row, offered as the tree to draw if it can be
    const at = outline.rows[outline.active];
    const offer = at?.sup;
    if (offer && offer.pid !== graphRoot && sizeOf(model, offer.pid) <= MAX_NODES) {
      graphNote.append(h("button", { type: "button", "data-action": "graph-current", onclick: () => showGraph(offer.pid) },
        `Draw ${offer.name || (at.kind === "sup" && at.via ? at.via.id : offer.pid)}'s tree`));
    }
    graphBox.hidden = Boolean(result.tooMany);
  }

  function toggleGraph() {
    if (graphToggle.getAttribute("aria-pressed") === "true") {
      graphToggle.setAttribute("aria-pressed", "false");
      graph?.destroy();
      graph = null;
      graphBox.hidden = true;
      graphNote.hidden = true;
      return;
    }
    showGraph(null);
  }

  // Updates from the model: one row patched in place, a new forest relisted.
  function onChange(kind, sup, c) {
    if (kind === "forest") {
      relist();
      rendered = true;
      el.dataset.ready = "1";
      graph?.update("sup");
      return;
    }
    if (!rendered) return;
    graph?.update(kind, sup, c);
    if (kind === "child" && c) {
      outline.update(`${sup.pid}|${c.id}`);
      if (c.type === "supervisor" && model.sups.has(c.pid)) outline.update(c.pid);
    } else if (kind === "restart") {
      outline.update(sup.pid);
      const with_ = [...sup.children].filter((x) => x.with === c.id).map((x) => x.id);
      restartsSaid.textContent = `${c.id} restarted by ${sup.name || sup.pid}: now ${c.pid}`
        + (with_.length ? `, and with it ${with_.join(", ")} (${sup.strategy})` : "");
    } else if (kind === "budget" || kind === "sup") {
      outline.update(sup.pid);
    } else if (kind === "foreign") {
      el.dataset.foreign = String(model.foreign.size);     // seen, not shown: inside a sandbox
    }
  }

  let loadedOnce = false;
  const load = () => {
    if (!loadedOnce) status.show("Loading the supervisors…", "busy");
    model.loadAll().then(() => {
      if (!loadedOnce) status.show("");
      loadedOnce = true;
      if (!model.sups.size) status.show("No supervisor is running on this node.");
    }, (err) => status.show(`Cannot load the supervisors: ${err.message}`, "error"));
  };
  // the forest is read once the stream follows the node (its hello), so no change falls between
  const stop = openEvents({ kinds: TREE_KINDS }, (frame) => {
    if (frame.type === "hello") {
      model.seq = null;             // (again after a reconnect: frames may have been lost)
      load();
    } else if (frame.type === "tree") model.apply(frame);
  }, null, () => {
    // no stream (refused, a token missing, the node gone): the REST answer says why, or shows what it can
    if (!loadedOnce && model.seq === null) load();
  });

  return () => {
    stop();
    model.dispose();
    graph?.destroy();
  };
}
