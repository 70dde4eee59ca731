// Supervisors: every supervision tree, live. Loaded once over REST, then
// every change comes from the event stream's tree frames: a restart swaps
// the child's pid in place (the old one struck out for a moment), bumps its
// restart count and the supervisor's budget meter. Kill / crash / restart
// per child go through the REST operations; a pid opens its process panel.
import { h, clear, statusLine } from "../dom.js";
import { post, pidPath } from "../api.js";
import { openEvents } from "../events.js";
import { TreeModel } from "./supervisors_model.js";
import { openProcessPanel } from "./process_panel.js";

const TREE_KINDS = ["sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"];

export function mount(el) {
  const status = statusLine();
  const search = h("input", { type: "search", placeholder: "Filter by name, id or pid", "aria-label": "Filter supervisors and children" });
  const trees = h("div", { class: "trees", "aria-live": "off" });
  const graphBox = h("div", { class: "graph", hidden: true, role: "img",
    "aria-label": "The supervision trees as a graph; the tree view lists the same processes" });
  const graphToggle = h("button", { type: "button", "aria-pressed": "false", onclick: () => toggleGraph() }, "Graph view");
  el.append(
    h("h1", {}, "Supervisors"),
    h("div", { class: "toolbar" }, search,
      h("button", { type: "button", "data-action": "expand-all", onclick: () => setAll(false) }, "Expand all"),
      h("button", { type: "button", onclick: () => setAll(true) }, "Collapse all"),
      graphToggle),
    status, trees, graphBox);
  let graph = null;

  async function toggleGraph() {
    const on = graphToggle.getAttribute("aria-pressed") !== "true";
    graphToggle.setAttribute("aria-pressed", String(on));
    trees.hidden = on;
    graphBox.hidden = !on;
    graph?.destroy();
    graph = null;
    if (on) {
      const { mountGraph } = await import("./supervisors_graph.js");
      if (graphToggle.getAttribute("aria-pressed") === "true") graph = await mountGraph(graphBox, model);
    }
  }

  const rows = new Map();              // `${sup}|${id}` -> row element
  const sections = new Map();          // sup pid -> section element
  const model = new TreeModel(onChange);
  model.onProgress = (done, total) => {
    if (total > 50 && !rendered) status.show(`Loading the supervisors: ${done} of ${total}…`, "busy");
  };
  let rendered = false;

  function setAll(collapsed) {
    for (const sup of model.sups.values()) sup.collapsed = collapsed;
    render();
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

  function childActions(sup, c) {
    const fail = (kind) => act(`${kind} ${c.id}`, () =>
      post(`/api/v1/supervisors/${pidPath(sup.pid)}/simulate-failure`, { child: c.id, kind }));
    return h("td", { class: "actions" },
      h("button", { type: "button", class: "danger", "data-action": "kill", onclick: () => fail("kill"),
        title: "Send the untrappable exit signal kill" }, "kill"),
      h("button", { type: "button", class: "danger", "data-action": "crash", onclick: () => fail("crash"),
        title: "Exit with reason simulated_crash" }, "crash"),
      h("button", { type: "button", "data-action": "restart",
        onclick: () => act(`restart ${c.id}`, () =>
          post(`/api/v1/supervisors/${pidPath(sup.pid)}/children/${encodeURIComponent(c.id)}/restart`)),
        title: "terminate_child then restart_child (not counted against the budget)" }, "restart"));
  }

  function pidButton(pid) {
    if (typeof pid !== "string" || !pid.startsWith("<")) return h("span", { class: "muted" }, String(pid));
    return h("button", { type: "button", class: "pid link", onclick: () => openProcessPanel(pid) }, pid);
  }

  function childRow(sup, c, oldPid) {
    const pidCell = h("td", { class: "pid-cell" },
      oldPid && oldPid !== c.pid ? h("s", { class: "old-pid", "aria-label": `was ${oldPid}` }, oldPid) : null,
      pidButton(c.pid));
    const row = h("tr", { "data-child": c.id, "data-state": c.state, class: oldPid && oldPid !== c.pid ? "restarted" : null },
      h("th", { scope: "row" }, c.id), pidCell, h("td", {}, c.type),
      h("td", { class: "state" }, c.state), h("td", { class: "restarts num" }, String(c.restarts)),
      childActions(sup, c));
    row.searchText = `${c.id} ${c.pid} ${c.name || ""}`.toLowerCase();
    return row;
  }

  function budgetMeter(sup) {
    const b = sup.budget || { used: 0, intensity: 0, period: 0 };
    return h("span", { class: "budget" },
      h("meter", { min: 0, max: Math.max(1, b.intensity), low: Math.max(1, b.intensity) * 0.5, high: Math.max(1, b.intensity) * 0.8,
        optimum: 0, value: b.used, "aria-label": `restart budget ${b.used} of ${b.intensity} in ${b.period} s` }),
      h("span", { class: "budget-text" }, `${b.used}/${b.intensity} restarts in ${b.period} s`));
  }

  function supHeader(sup) {
    const toggle = h("button", { type: "button", class: "toggle", "aria-expanded": String(!sup.collapsed),
      onclick: () => { sup.collapsed = !sup.collapsed; render(); } }, sup.collapsed ? "▸" : "▾");
    return h("header", { class: "sup-head" }, toggle,
      h("h2", {}, sup.name || sup.pid), pidButton(sup.pid),
      h("span", { class: "badge" }, sup.strategy),
      h("span", { class: "sup-restarts" }, `${sup.restarts} restarts`),
      budgetMeter(sup),
      sup.alive ? null : h("span", { class: "badge bad" }, "shut down: intensity reached"));
  }

  function supSection(sup, depth, seen) {
    seen.add(sup.pid);
    const section = h("section", { class: "sup", "data-sup": sup.name || sup.pid, "data-pid": sup.pid, style: `--depth:${depth}` });
    sections.set(sup.pid, section);
    section.append(supHeader(sup));
    if (!sup.collapsed) {
      const body = h("tbody");
      for (const c of sup.children) {
        const row = childRow(sup, c);
        rows.set(`${sup.pid}|${c.id}`, row);
        body.append(row);
      }
      section.append(h("table", { class: "children" },
        h("caption", { class: "sr-only" }, `Children of ${sup.name || sup.pid}`),
        h("thead", {}, h("tr", {}, ["id", "pid", "type", "state", "restarts", "actions"].map((t) => h("th", { scope: "col" }, t)))),
        body));
      for (const c of sup.children) {
        const sub = c.type === "supervisor" && model.sups.get(c.pid);
        if (sub && !seen.has(sub.pid)) section.append(supSection(sub, depth + 1, seen));
      }
    }
    return section;
  }

  function render() {
    rows.clear();
    sections.clear();
    clear(trees);
    const seen = new Set();
    for (const sup of model.sups.values()) {
      if (!model.parentOf(sup.pid)) trees.append(supSection(sup, 0, seen));
    }
    for (const sup of model.sups.values()) if (!seen.has(sup.pid)) trees.append(supSection(sup, 0, seen));
    if (!model.sups.size) trees.append(h("p", {}, "No supervisor is running on this node."));
    applyFilter();
    rendered = true;
    el.dataset.ready = "1";
  }

  function applyFilter() {
    const q = search.value.trim().toLowerCase();
    for (const [pid, section] of sections) {
      const sup = model.sups.get(pid);
      const supHit = !q || `${sup?.name || ""} ${pid}`.toLowerCase().includes(q);
      let any = supHit;
      for (const row of section.querySelectorAll(":scope > table tr[data-child]")) {
        const hit = supHit || row.searchText.includes(q);
        row.hidden = !hit;
        any ||= hit;
      }
      section.dataset.match = any || section.querySelector("section.sup[data-match='1']") ? "1" : "0";
    }
    // innermost first, so a parent stays visible when a sub-tree matches
    for (const section of [...sections.values()].reverse()) {
      const any = section.dataset.match === "1" || section.querySelector("section.sup[data-match='1']");
      section.hidden = !any;
    }
  }
  search.addEventListener("input", applyFilter);

  // Updates of one row or one header in place; a new supervisor re-renders.
  function onChange(kind, sup, c, was) {
    if (!rendered) return;
    graph?.update(kind, sup, c);
    if ((kind === "restart" || kind === "child") && c) {
      const key = `${sup.pid}|${c.id}`;
      const row = rows.get(key);
      if (row && c.type !== "supervisor") {
        const fresh = childRow(sup, c, was);
        row.replaceWith(fresh);
        rows.set(key, fresh);
        fresh.hidden = row.hidden;
      } else render();
      if (kind === "restart") updateHeader(sup);
    } else if (kind === "budget") {
      updateHeader(sup);
    } else if (kind === "foreign") {
      el.dataset.foreign = String(model.foreign.size);     // seen, not shown: inside a sandbox
    } else {
      render();
    }
  }

  function updateHeader(sup) {
    const section = sections.get(sup.pid);
    const head = section?.querySelector(":scope > header");
    if (head) head.replaceWith(supHeader(sup));
  }

  const stop = openEvents({ kinds: TREE_KINDS }, (frame) => {
    if (frame.type === "tree") model.apply(frame.change, frame.event);
  });
  model.loadAll().then(({ failed }) => {
    render();
    status.show("");
    if (failed) status.show(`${failed} supervisors could not be read (they may have exited meanwhile)`, "error");
  }, (err) => status.show(`Cannot load the supervisors: ${err.message}`, "error"));

  return () => {
    stop();
    model.dispose();
    graph?.destroy();
  };
}
