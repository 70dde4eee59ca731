// The supervision trees as a virtualised outline (ARIA tree): only the rows
// in view (and a few around them) are in the DOM, each at its place in a
// scroller as tall as all rows, so 11,000 rows cost what 40 do. One row is
// the tree's tab stop (roving tabindex); its buttons follow it in the tab
// order, the other rows' buttons are out of it. Keys on a row: Up/Down,
// Home/End, PageUp/PageDown move; Right opens a supervisor or goes to its
// first child; Left closes it or goes to the parent; Enter opens the
// process panel; Space opens or closes a supervisor. A row is patched in
// place when its child or supervisor changes, so focus stays where it is.
import { h } from "../dom.js";

export const ROW_HEIGHT = 34;
const OVERSCAN = 8;

export class Outline {
  // actions: {toggle(row), open(pid), fail(sup, child, kind), restart(sup, child), graph(sup)}
  constructor(actions) {
    this.actions = actions;
    this.rows = [];
    this.index = new Map();          // key -> row index
    this.shown = new Map();          // key -> element in the DOM
    this.active = 0;                 // index of the tab stop
    this.spacer = h("div", { class: "outline-spacer" });
    this.el = h("div", { class: "outline", role: "tree", "aria-label": "Supervision trees", "aria-multiselectable": "false" }, this.spacer);
    this.el.addEventListener("scroll", () => this.schedule());
    this.el.addEventListener("keydown", (ev) => this.onKey(ev));
    this.el.addEventListener("focusin", (ev) => {
      const item = ev.target.closest?.("[role=treeitem]");
      if (item && this.index.has(item.dataset.key)) this.setActive(this.index.get(item.dataset.key), false);
    });
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  // A new list of rows (load, collapse, search); the tab stop keeps its row if it is still there.
  setRows(rows) {
    const activeKey = this.rows[this.active]?.key;
    this.rows = rows;
    this.index = new Map(rows.map((r, i) => [r.key, i]));
    this.active = Math.min(this.index.get(activeKey) ?? this.active, Math.max(0, rows.length - 1));
    this.spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    const hadFocus = this.el.contains(document.activeElement);
    for (const [key, el] of this.shown) {
      if (this.index.has(key)) this.patch(el, rows[this.index.get(key)]);
      else {
        el.remove();
        this.shown.delete(key);
      }
    }
    this.render();
    if (hadFocus && !this.el.contains(document.activeElement)) this.setActive(this.active, true);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  // The rows in view are in the DOM, the others not.
  render() {
    const top = this.el.scrollTop, height = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const keep = new Set();
    for (let i = first; i <= last; i++) keep.add(this.rows[i].key);
    if (this.rows[this.active]) keep.add(this.rows[this.active].key);      // the tab stop stays reachable
    for (const [key, el] of this.shown) {
      if (!keep.has(key)) {
        if (el.contains(document.activeElement)) continue;     // never pull focus out from under the user
        el.remove();
        this.shown.delete(key);
      }
    }
    for (const key of keep) {
      if (this.shown.has(key)) continue;
      const i = this.index.get(key);
      const el = this.rowElement(this.rows[i], i);
      this.shown.set(key, el);
      this.el.append(el);
    }
    this.el.dataset.rows = String(this.rows.length);
    this.el.dataset.rendered = String(this.shown.size);
  }

  // The row's element changed in the model: patched if it is in the DOM.
  update(key) {
    const el = this.shown.get(key);
    const i = this.index.get(key);
    if (el && i !== undefined) this.patch(el, this.rows[i]);
  }

  updateAll() {
    for (const [key, el] of this.shown) this.patch(el, this.rows[this.index.get(key)]);
  }

  rowElement(row, i) {
    const el = h("div", { role: "treeitem", class: `row ${row.kind}`, "data-key": row.key, "aria-level": row.depth + 1 });
    el.style.top = `${i * ROW_HEIGHT}px`;
    el.style.setProperty("--depth", row.depth);
    if (row.kind === "sup") this.supCells(el, row);
    else this.childCells(el, row);
    el.addEventListener("click", (ev) => {
      if (ev.target.closest("button")) return;
      this.setActive(this.index.get(row.key), true);
      if (row.kind === "sup" && ev.target.closest(".toggle")) this.actions.toggle(this.rows[this.index.get(row.key)]);
    });
    this.patch(el, row);
    return el;
  }

  supCells(el, row) {
    const btn = (cls, label, fn, title) => h("button", { type: "button", class: cls, onclick: fn, title }, label);
    el.append(
      h("span", { class: "first" }, h("span", { class: "toggle", "aria-hidden": "true" }), h("span", { class: "name" })),
      h("span", {}, btn("pid link", "", () => this.actions.open(el.row.sup.pid))),
      h("span", {}, h("span", { class: "badge strategy" })),
      h("span", { class: "sup-restarts" }),
      h("span", { class: "sup-end" },
        h("span", { class: "budget" }, h("meter", { min: 0 }), h("span", { class: "budget-text" })),
        h("span", { class: "badge bad gone", hidden: true }, "shut down: intensity reached"),
        btn("graph-this", "graph", () => this.actions.graph(el.row.sup), "Draw this supervisor's tree as a graph")));
  }

  childCells(el, row) {
    const fail = (kind) => () => this.actions.fail(el.row.sup, el.row.child, kind);
    el.append(
      h("span", { class: "first id" }),
      h("span", { class: "pid-cell" }, h("s", { class: "old-pid", hidden: true }),
        h("button", { type: "button", class: "pid link", onclick: () => this.actions.open(el.row.child.pid) })),
      h("span", { class: "type" }),
      h("span", { class: "state" }),
      h("span", { class: "restarts num" }),
      h("span", { class: "actions" },
        h("button", { type: "button", class: "danger", "data-action": "kill", onclick: fail("kill"),
          title: "Send the untrappable exit signal kill" }, "kill"),
        h("button", { type: "button", class: "danger", "data-action": "crash", onclick: fail("crash"),
          title: "Exit with reason simulated_crash" }, "crash"),
        h("button", { type: "button", "data-action": "restart", onclick: () => this.actions.restart(el.row.sup, el.row.child),
          title: "terminate_child then restart_child (not counted against the budget)" }, "restart")));
  }

  // Every cell from the model, changing only text and attributes.
  patch(el, row) {
    el.row = row;
    const i = this.index.get(row.key);
    el.style.top = `${i * ROW_HEIGHT}px`;
    el.setAttribute("aria-setsize", row.size);
    el.setAttribute("aria-posinset", row.pos);
    const tab = i === this.active;
    el.tabIndex = tab ? 0 : -1;
    for (const b of el.querySelectorAll("button")) b.tabIndex = tab ? 0 : -1;
    const set = (sel, text) => {
      const e = el.querySelector(sel);
      if (e.textContent !== text) e.textContent = text;
    };
    if (row.kind === "sup") {
      const sup = row.sup;
      const name = sup.name || (row.via ? row.via.id : "supervisor");
      el.dataset.sup = sup.name || sup.pid;
      el.dataset.pid = sup.pid;
      if (row.via) el.dataset.child = row.via.id;
      el.setAttribute("aria-expanded", String(row.open));
      set(".toggle", row.open ? "▾" : "▸");
      // how often its parent restarted it (a new process each time), beside its own restarts
      const again = row.via?.restarts ? ` · restarted ${row.via.restarts}×` : "";
      set(".name", name + again);
      set("button.pid", sup.pid);
      set(".strategy", sup.strategy);
      set(".sup-restarts", `${sup.restarts} restart${sup.restarts === 1 ? "" : "s"}`);
      const b = sup.budget || { used: 0, intensity: 0, period: 0 };
      const max = Math.max(1, b.intensity);
      const meter = el.querySelector("meter");
      Object.assign(meter, { max, low: max * 0.5, high: max * 0.8, optimum: 0, value: b.used });
      const words = `${b.used}/${b.intensity} restarts in ${b.period} s`;
      meter.setAttribute("aria-label", `restart budget: ${words}`);
      set(".budget-text", words);
      el.dataset.used = String(b.used);
      el.querySelector(".gone").hidden = sup.alive;
      el.setAttribute("aria-label", `${name}${again} supervisor ${sup.pid}, ${sup.strategy}, ${sup.children.length} children, `
        + `budget ${words}${sup.alive ? "" : ", shut down"}`);
    } else {
      const c = row.child;
      el.dataset.sup = row.sup.name || row.sup.pid;
      el.dataset.child = c.id;
      el.dataset.state = c.state;
      el.dataset.pid = String(c.pid);
      set(".id", c.id);
      set("button.pid", String(c.pid));
      const old = el.querySelector(".old-pid");
      old.hidden = !c.was;
      old.textContent = c.was || "";
      if (c.was) old.setAttribute("aria-label", `was ${c.was}`);
      set(".type", c.type);
      set(".state", c.state);
      set(".restarts", String(c.restarts));
      el.classList.toggle("restarted", Boolean(c.was));
      el.title = c.with ? `restarted with ${c.with} (${row.sup.strategy})` : "";
      el.setAttribute("aria-label", `${c.id}, ${c.type} ${c.pid}, ${c.state}, ${c.restarts} restart${c.restarts === 1 ? "" : "s"}`);
    }
  }

  setActive(i, focus) {
    if (i === undefined || !this.rows.length) return;
    const old = this.rows[this.active];
    this.active = Math.max(0, Math.min(i, this.rows.length - 1));
    if (old) this.update(old.key);
    const row = this.rows[this.active];
    if (focus) {
      const top = this.active * ROW_HEIGHT, view = this.el.clientHeight;
      if (top < this.el.scrollTop) this.el.scrollTop = top;
      else if (top + ROW_HEIGHT > this.el.scrollTop + view) this.el.scrollTop = top + ROW_HEIGHT - view;
      this.render();
      this.shown.get(row.key)?.focus({ preventScroll: true });
    }
    this.update(row.key);
  }

  // Focus the row of key (scrolled into view).
  focusKey(key) {
    if (this.index.has(key)) this.setActive(this.index.get(key), true);
  }

  onKey(ev) {
    const item = ev.target;
    if (item.getAttribute?.("role") !== "treeitem") return;
    const i = this.index.get(item.dataset.key);
    const row = this.rows[i];
    const page = Math.max(1, Math.floor(this.el.clientHeight / ROW_HEIGHT) - 1);
    const go = (j) => { ev.preventDefault(); this.setActive(j, true); };
    switch (ev.key) {
      case "ArrowDown": return go(i + 1);
      case "ArrowUp": return go(i - 1);
      case "Home": return go(0);
      case "End": return go(this.rows.length - 1);
      case "PageDown": return go(i + page);
      case "PageUp": return go(i - page);
      case "ArrowRight":
        ev.preventDefault();
        if (row.kind === "sup" && !row.open) return this.actions.toggle(row);
        if (row.kind === "sup" && this.rows[i + 1]?.parentRow === row) return go(i + 1);
        return;
      case "ArrowLeft":
        ev.preventDefault();
        if (row.kind === "sup" && row.open) return this.actions.toggle(row);
        if (row.parentRow) return go(this.index.get(row.parentRow.key));
        return;
      case " ":
        if (row.kind === "sup") {
          ev.preventDefault();
          this.actions.toggle(row);
        }
        return;
      case "Enter":
        ev.preventDefault();
        return this.actions.open(row.kind === "sup" ? row.sup.pid : row.child.pid);
      default:
    }
  }
}
