// The supervision tree of a running lesson, drawn by the Supervisors
// page's graph renderer (supervisors_graph.js) from the Supervisors page's
// model, narrowed to the lesson's supervisors: the run's status names them
// (GET /api/v1/lessons/run answers their pids), the event stream's tree
// frames keep them current between two answers. A supervisor that leaves
// the run stays drawn, marked shut down, so the end of a lesson stays
// visible.
import { h, clear } from "../dom.js";
import { openEvents } from "../events.js";
import { TreeModel } from "./supervisors_model.js";

const TREE_KINDS = ["sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"];

class LessonTreeModel extends TreeModel {
  constructor(onChange) {
    super(onChange);
    this.allowed = new Set();
    this.gone = new Map();          // supervisors that left the run, drawn shut down
  }

  // The forest (GET /api/v1/trees) narrowed to the lesson's supervisors.
  async loadAll() {
    const answer = await super.loadAll();
    for (const pid of [...this.sups.keys()]) if (!this.allowed.has(pid)) this.sups.delete(pid);
    for (const [pid, sup] of this.gone) if (!this.sups.has(pid)) this.sups.set(pid, sup);
    this.onChange("sup");
    return answer;
  }

  // The run's live supervisors now: new ones read, gone ones marked down.
  async sync(pids) {
    this.allowed = new Set(pids);
    for (const sup of this.sups.values()) {
      if (sup.alive && !this.allowed.has(sup.pid)) {
        sup.alive = false;
        for (const c of sup.children) c.state = "terminated";
        this.gone.set(sup.pid, sup);
        this.onChange("sup", sup);
      }
    }
    if (pids.some((p) => !this.sups.has(p) || !this.sups.get(p).alive)) await this.loadAll().catch(() => {});
  }
}

// The tree as text beside the drawing: for screen readers, and it says in
// words what the graph shows.
function describe(model) {
  const lines = [];
  for (const sup of model.sups.values()) {
    const kids = sup.children.map((c) => h("li", { "data-child": c.id, "data-state": c.state }, `${c.id} ${c.pid} ${c.state}`));
    lines.push(h("li", { "data-sup": sup.pid, "data-alive": String(sup.alive) },
      `${sup.name || "supervisor"} ${sup.pid} ${sup.strategy}${sup.alive ? "" : " (shut down)"}`, h("ul", {}, kids)));
  }
  return lines;
}

export function mountLessonTree(el) {
  const box = h("div", { class: "graph lesson-graph", role: "img", "aria-label": "The lesson's supervision tree as a graph; the list below says the same" });
  const text = h("ul", { class: "lesson-tree-text" });
  const empty = h("p", { class: "muted" }, "The lesson has started no supervisor yet.");
  el.append(box, empty, text);
  let graph = null, closed = false;
  const pending = [];
  const model = new LessonTreeModel((kind, sup, c) => {
    if (graph) graph.update(kind, sup, c); else pending.push(kind);
    clear(text).append(...describe(model));
    empty.hidden = model.sups.size > 0;
    el.dataset.sups = String(model.sups.size);
  });
  import("./supervisors_graph.js").then(({ mountGraph }) => mountGraph(box, model)).then((g) => {
    if (closed) return g.destroy();
    graph = g;
    if (pending.length) graph.update("sup");
  });
  const stop = openEvents({ kinds: TREE_KINDS }, (frame) => {
    if (frame.type === "tree" && model.allowed.has(frame.event.pid)) model.apply(frame);
  });
  return {
    sync: (pids) => model.sync(pids),
    reset() {
      model.sups.clear();
      model.allowed.clear();
      model.gone.clear();
      graph?.update("sup");
      clear(text);
      empty.hidden = false;
      el.dataset.sups = "0";
    },
    destroy() {
      closed = true;
      stop();
      model.dispose();
      graph?.destroy();
    },
  };
}
