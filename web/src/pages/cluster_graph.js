// The cluster's topology as a drawing (cytoscape, a circle of nodes): a
// node per Erlang node, an edge per connection; this node drawn thicker and
// labelled so, a node that went down dashed in red until it comes back.
// The container's data-nodes and data-down say what is drawn, for tests
// and for the text beside it.
function colors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { fg: v("--fg"), bg: v("--panel"), line: v("--line"), accent: v("--accent"), bad: v("--bad"), ok: v("--ok") };
}

export async function mountTopology(container) {
  const { default: cytoscape } = await import("cytoscape");
  const c = colors();
  const cy = cytoscape({
    container,
    style: [
      { selector: "node", style: { shape: "round-rectangle", label: "data(label)", "text-wrap": "wrap", "text-valign": "center",
        "font-size": 11, color: c.fg, "background-color": c.bg, "border-width": 2, "border-color": c.ok, width: 150, height: 44 } },
      { selector: "node[?self]", style: { "border-width": 4, "border-color": c.accent, "font-weight": "bold" } },
      { selector: 'node[state = "down"]', style: { "border-color": c.bad, "border-style": "dashed", color: c.bad } },
      { selector: 'node[state = "via"]', style: { "border-color": c.line, "border-style": "dotted" } },
      { selector: "edge", style: { width: 2, "line-color": c.line, "curve-style": "bezier" } },
      { selector: 'edge[state = "down"]', style: { "line-color": c.bad, "line-style": "dashed" } },
    ],
  });
  let shape = "";
  return {
    // nodes: [{node, self, state: "up"|"down"|"via", kind}], edges: [{from, to, state}]
    draw(nodes, edges) {
      const key = JSON.stringify([nodes.map((n) => [n.node, n.state, n.kind]), edges.map((e) => [e.from, e.to, e.state])]);
      if (key === shape) return;
      shape = key;
      cy.elements().remove();
      cy.add(nodes.map((n) => ({ data: { id: n.node, self: !!n.self, state: n.state,
        label: `${n.node}\n${n.self ? "this node" : n.state === "down" ? "down" : n.kind || (n.state === "via" ? "seen by a peer" : "connected")}` } })));
      cy.add(edges.filter((e) => cy.getElementById(e.from).nonempty() && cy.getElementById(e.to).nonempty())
        .map((e) => ({ data: { id: `${e.from}|${e.to}`, source: e.from, target: e.to, state: e.state } })));
      cy.layout({ name: nodes.length > 2 ? "circle" : "grid", padding: 30 }).run();
      cy.fit(undefined, 30);
      container.dataset.nodes = String(nodes.length);
      container.dataset.down = nodes.filter((n) => n.state === "down").map((n) => n.node).join(",");
    },
    destroy() { cy.destroy(); },
  };
}
