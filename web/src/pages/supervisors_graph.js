// A supervision tree as a graph (cytoscape laid out by dagre, top down):
// one supervisor's tree, or every tree when they are few; a node per
// supervisor and per worker, an edge from each supervisor to its children.
// Past MAX_NODES dagre takes seconds to minutes: the page says so instead. Labels follow the live model (a restart
// relabels its node and flashes it); clicking a node opens its process
// panel. Loaded on demand: only when the graph view is chosen.
import { openProcessPanel } from "./process_panel.js";

export const MAX_NODES = 1500;

function colors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { fg: v("--fg"), bg: v("--panel"), line: v("--line"), accent: v("--accent"), bad: v("--bad"), flash: v("--warn") };
}

// The supervisors of root's tree (every supervisor without root).
function supsUnder(model, root) {
  if (!root) return [...model.sups.values()];
  const out = [], seen = new Set();
  const walk = (sup) => {
    if (!sup || seen.has(sup.pid)) return;
    seen.add(sup.pid);
    out.push(sup);
    for (const c of sup.children) if (c.type === "supervisor") walk(model.sups.get(c.pid));
  };
  walk(model.sups.get(root));
  return out;
}

function countOf(sups) {
  let n = sups.length;
  for (const sup of sups) n += sup.children.length;
  return n;
}

// How many nodes root's tree (every tree without root) would draw.
export const sizeOf = (model, root = null) => countOf(supsUnder(model, root));

function elementsOf(model, root) {
  const nodes = [], edges = [];
  for (const sup of supsUnder(model, root)) {
    nodes.push({ data: { id: sup.pid, pid: sup.pid, label: `${sup.name || "supervisor"}\n${sup.pid}\n${sup.strategy}`, kind: "sup",
      state: sup.alive ? "running" : "dead" } });
    for (const c of sup.children) {
      const sub = c.type === "supervisor" && model.sups.get(c.pid);
      const id = sub ? sub.pid : `${sup.pid}|${c.id}`;
      if (!sub) nodes.push({ data: { id, pid: c.pid, label: `${c.id}\n${c.pid}`, kind: "worker", state: c.state } });
      edges.push({ data: { id: `e:${sup.pid}|${c.id}`, source: sup.pid, target: id } });
    }
  }
  return { nodes, edges };
}

export async function mountGraph(container, model, root = null) {
  const size = sizeOf(model, root);
  if (size > MAX_NODES) return { tooMany: size, update() {}, destroy() {} };
  const [{ default: cytoscape }, { default: dagre }] = await Promise.all([import("cytoscape"), import("cytoscape-dagre")]);
  cytoscape.use(dagre);
  const { nodes, edges } = elementsOf(model, root);
  const c = colors();
  const cy = cytoscape({
    container,
    elements: [...nodes, ...edges],
    style: [
      { selector: "node", style: { shape: "round-rectangle", label: "data(label)", "text-wrap": "wrap", "text-valign": "center",
        "font-size": 11, color: c.fg, "background-color": c.bg, "border-width": 2, "border-color": c.line,
        width: 110, height: 48 } },
      { selector: 'node[kind = "sup"]', style: { "border-color": c.accent, "font-weight": "bold", height: 58 } },
      { selector: 'node[state != "running"]', style: { "border-color": c.bad, "border-style": "dashed" } },
      { selector: "node.restarted", style: { "background-color": c.flash } },
      { selector: "edge", style: { width: 1.5, "line-color": c.line, "target-arrow-shape": "triangle",
        "target-arrow-color": c.line, "curve-style": "bezier" } },
    ],
    layout: { name: "dagre", rankDir: "TB", nodeSep: 16, rankSep: 40 },
  });
  const count = () => { container.dataset.nodes = String(cy.nodes().length); };
  count();
  cy.on("tap", "node", (ev) => {
    const pid = ev.target.data("pid");
    if (typeof pid === "string" && pid.startsWith("<")) openProcessPanel(pid);
  });
  return {
    cy,
    nodes: nodes.length,
    // A child's new pid or state relabels its node; a new or gone
    // supervisor rebuilds the graph.
    update(kind, sup, child) {
      if ((kind === "restart" || kind === "child") && child && child.type !== "supervisor") {
        const node = cy.getElementById(`${sup.pid}|${child.id}`);
        if (node.empty()) return;
        node.data({ pid: child.pid, label: `${child.id}\n${child.pid}`, state: child.state });
        if (kind === "restart") {
          node.addClass("restarted");
          setTimeout(() => node.removeClass("restarted"), 1200);
        }
      } else if (kind === "sup" || (kind === "restart" && child?.type === "supervisor")) {
        if (root && !model.sups.has(root)) return;       // its root restarted: the graph keeps the last one
        const next = elementsOf(model, root);
        cy.elements().remove();
        cy.add([...next.nodes, ...next.edges]);
        cy.layout({ name: "dagre", rankDir: "TB", nodeSep: 16, rankSep: 40 }).run();
        count();
      }
    },
    destroy() {
      cy.destroy();
    },
  };
}
