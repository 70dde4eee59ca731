// The supervision trees as the page knows them: the whole forest from one
// REST call (GET /api/v1/trees), then kept current by the tree frames of the
// event stream, applied by supervisor pid and child id. Frames older than
// the forest (seq at or below its seq) are skipped, later ones applied, so
// a restart is never missed nor counted twice. The restart counts are the
// node's: a restart frame names the failing child and the siblings the
// supervisor restarted with it (one_for_all, rest_for_one), and carries the
// budget after it. What a frame cannot say (a new supervisor, a child added
// at run time) reloads the forest, at most one load at a time.
import { get, pidPath } from "../api.js";

const FLASH_MS = 1500;

export class TreeModel {
  // budgets: follow each supervisor's budget as its restarts leave the period (the live page; a snapshot does not)
  constructor(onChange = () => {}, { budgets = false } = {}) {
    this.budgets = budgets;
    this.sups = new Map();          // pid -> supervisor
    this.onChange = onChange;       // (kind, sup, child?) after each update
    this.foreign = new Set();       // supervisors the API does not describe (inside a sandbox)
    this.collapsed = new Set();     // supervisor pids shown collapsed
    this.seq = null;                // the forest's seq; null until loaded
    this.queued = [];               // frames that came before the forest
    this.loading = null;
    this.reloadWanted = false;
    this.timers = new Set();
  }

  // The forest, once (again); frames that arrived meanwhile are applied after.
  async loadAll() {
    if (this.loading) {
      this.reloadWanted = true;
      return this.loading;
    }
    this.loading = (async () => {
      this.fetching = true;             // frames wait: the answer may be newer than some of them
      let answer;
      try {
        answer = await get("/api/v1/trees");
      } finally {
        this.fetching = false;
      }
      const known = new Set(answer.data.map((s) => s.pid));
      const old = this.sups;
      this.sups = new Map();
      for (const s of answer.data) this.sups.set(s.pid, this.supOf(s, old.get(s.pid)));
      for (const [pid, sup] of old) if (!this.sups.has(pid)) clearTimeout(sup.budgetTimer);
      const unknown = [...(this.queuedUnknown ?? [])].filter((pid) => !known.has(pid) && !this.foreign.has(pid));
      for (const pid of unknown) this.foreign.add(pid);
      this.queuedUnknown = null;
      this.seq = answer.seq;
      const queued = this.queued;
      this.queued = [];
      this.onChange("forest");
      if (unknown.length) this.onChange("foreign");
      for (const f of queued) this.apply(f);
      return { total: answer.data.length, failed: 0 };
    })();
    try {
      return await this.loading;
    } finally {
      this.loading = null;
      if (this.reloadWanted) {
        this.reloadWanted = false;
        this.loadAll().catch(() => {});
      }
    }
  }

  supOf(s, old) {
    const sup = {
      pid: s.pid, name: s.name, strategy: s.strategy, budget: s.budget, restarts: s.restarts, parent: s.parent ?? null,
      alive: true, dynamic: s.dynamic,
      children: s.children.map((c) => ({
        id: String(c.id), pid: c.pid, type: c.type, name: c.name, restarts: c.restarts,
        state: typeof c.pid === "string" && c.pid.startsWith("<") ? "running" : String(c.pid),
      })),
    };
    sup.byId = new Map(sup.children.map((c) => [c.id, c]));
    if (old?.budgetTimer) sup.budgetTimer = old.budgetTimer;
    this.watchBudget(sup);
    return sup;
  }

  reload() {
    this.loadAll().catch(() => {});
  }

  child(sup, id) {
    return sup.byId.get(String(id));
  }

  // Which supervisor has pid as a child, if any.
  parentOf(pid) {
    const p = this.sups.get(pid)?.parent;
    return p ? this.sups.get(p) ?? null : null;
  }

  // A tree frame {change, event, group?, budget?} of the event stream.
  apply(frame) {
    const ev = frame.event;
    if (this.seq === null || this.fetching) {
      this.queued.push(frame);
      return;
    }
    if (ev.seq <= this.seq) return;
    const sup = this.sups.get(ev.pid);
    if (!sup) {
      if (frame.change === "shutdown" || this.foreign.has(ev.pid)) return;
      if (this.loading) {
        (this.queuedUnknown ??= new Set()).add(ev.pid);
        this.reloadWanted = true;
        return;
      }
      // seen first in the stream: a new or restarted supervisor, or one inside a sandbox
      this.pendingUnknown ??= new Set();
      this.pendingUnknown.add(ev.pid);
      this.reloadThenMark();
      return;
    }
    const c = this.child(sup, ev.id);
    if (frame.change === "restarted") {
      if (!c) return this.reload();
      this.renew(sup, c, ev.old_pid ?? c.pid, ev.new_pid, null);
      for (const s of frame.group ?? []) {
        const sib = this.child(sup, s.id);
        if (sib) this.renew(sup, sib, s.old_pid, s.new_pid, c.id);
      }
      sup.restarts++;
      if (frame.budget) this.setBudget(sup, frame.budget);
      this.onChange("restart", sup, c);
    } else if (frame.change === "started") {
      if (!c) return this.reload();                 // a child added at run time
      if (c.pid !== ev.child) this.swap(sup, c, ev.child);
      else if (c.state !== "running") {
        c.state = "running";
        this.onChange("child", sup, c);
      }
    } else if (frame.change === "terminated") {
      if (!c) return;
      c.state = "terminated";
      this.onChange("child", sup, c);
    } else if (frame.change === "shutdown") {
      sup.alive = false;
      this.onChange("sup", sup);
    }
  }

  // After a reload, a supervisor still unknown is one the API does not list.
  reloadThenMark() {
    if (this.markTimer) return;
    this.markTimer = setTimeout(async () => {
      this.markTimer = null;
      const asked = this.pendingUnknown;
      this.pendingUnknown = null;
      try {
        await this.loadAll();
      } catch {
        return;
      }
      let added = 0;
      for (const pid of asked ?? []) if (!this.sups.has(pid) && !this.foreign.has(pid)) { this.foreign.add(pid); added++; }
      if (added) this.onChange("foreign");
    }, 100);
  }

  // A child's new pid (a restart, or a start the frame saw first).
  swap(sup, c, pid) {
    const was = c.pid;
    c.pid = pid;
    c.state = "running";
    if (c.type === "supervisor") this.moveSup(was, pid);
    this.flash(c, was);
    this.onChange("child", sup, c);
  }

  // One automatic restart of c (with the failing child's id when c is a sibling).
  renew(sup, c, was, pid, withId) {
    c.restarts++;
    c.with = withId;
    if (c.pid !== pid) {
      c.pid = pid;
      if (c.type === "supervisor") this.moveSup(was, pid);
    }
    c.state = "running";
    this.flash(c, was);
    this.onChange("child", sup, c);
  }

  // A restarted sub-supervisor is a new process: its tree is read again.
  moveSup(was, pid) {
    if (this.collapsed.delete(was)) this.collapsed.add(pid);
    if (!this.sups.has(pid)) this.reload();
  }

  // The old pid shown struck out for a moment beside the new one.
  flash(c, was) {
    if (!was || was === c.pid) return;
    c.was = was;
    clearTimeout(c.flashTimer);
    c.flashTimer = this.later(() => {
      c.was = null;
      c.with = null;
      for (const sup of this.sups.values()) if (sup.byId.get(c.id) === c) this.onChange("child", sup, c);
    }, FLASH_MS);
  }

  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  // The budget counts restarts over the last period: the node says when its
  // oldest counted restart stops counting; the page asks again then.
  setBudget(sup, budget) {
    sup.budget = budget;
    this.onChange("budget", sup);
    this.watchBudget(sup);
  }

  watchBudget(sup) {
    clearTimeout(sup.budgetTimer);
    const ms = sup.budget?.expires_in_ms;
    if (!this.budgets || typeof ms !== "number") return;
    sup.budgetTimer = this.later(async () => {
      if (this.sups.get(sup.pid) !== sup || !sup.alive) return;     // gone: nothing to ask
      try {
        const b = (await get(`/api/v1/supervisors/${pidPath(sup.pid)}/budget`)).data;
        if (this.sups.get(sup.pid) === sup) this.setBudget(sup, b);
      } catch {
        /* gone: its shutdown frame or the next load says so */
      }
    }, ms + 20);
  }

  // The rows of the outline, in order: each supervisor followed by its
  // children, a child supervisor's row standing for it. With a query, the
  // rows that match and the supervisors above them (collapsed or not).
  rows(query = "") {
    const q = query.trim().toLowerCase();
    const out = [];
    const seen = new Set();
    const hits = q ? this.matches(q) : null;
    this.matchCount = hits ? [...hits.values()].filter((v) => v === "self").length : 0;
    const walk = (sup, depth, via) => {
      if (seen.has(sup.pid)) return;
      seen.add(sup.pid);
      if (hits && !hits.has(sup.pid)) return;
      const open = q ? true : !this.collapsed.has(sup.pid);
      out.push({ key: sup.pid, kind: "sup", sup, via, depth, open });
      if (!open) return;
      const supHit = hits?.get(sup.pid) === "self";
      for (const c of sup.children) {
        const sub = c.type === "supervisor" && this.sups.get(c.pid);
        if (sub) walk(sub, depth + 1, c);
        else if (!hits || supHit || hits.has(`${sup.pid}|${c.id}`)) out.push({ key: `${sup.pid}|${c.id}`, kind: "child", sup, child: c, depth: depth + 1 });
      }
    };
    for (const sup of this.sups.values()) if (!sup.parent || !this.sups.has(sup.parent)) walk(sup, 0, null);
    // the row each row sits under, for aria-setsize/aria-posinset and ArrowLeft
    const lastSupAt = [];
    for (const r of out) {
      r.parentRow = r.depth ? lastSupAt[r.depth - 1] : null;
      if (r.kind === "sup") lastSupAt[r.depth] = r;
    }
    setPositions(out);
    return out;
  }

  // Supervisor pids and child keys that match q, with every supervisor above a match.
  matches(q) {
    const hits = new Map();
    const up = (pid) => {
      for (let p = pid, guard = 0; p && !hits.has(p) && guard < 64; p = this.sups.get(p)?.parent, guard++) hits.set(p, "path");
    };
    for (const sup of this.sups.values()) {
      if (`${sup.name || ""} ${sup.pid}`.toLowerCase().includes(q)) {
        up(sup.parent);
        hits.set(sup.pid, "self");
      }
      for (const c of sup.children) {
        const sub = c.type === "supervisor" && this.sups.has(c.pid);
        if (sub) {
          // a child supervisor is found by its id in the parent too (its row shows that id)
          if (String(c.id).toLowerCase().includes(q)) {
            up(sup.pid);
            hits.set(c.pid, "self");
          }
          continue;
        }
        if (`${c.id} ${c.pid} ${c.name || ""}`.toLowerCase().includes(q)) {
          hits.set(`${sup.pid}|${c.id}`, "self");
          if (!hits.has(sup.pid)) up(sup.pid);
        }
      }
    }
    return hits;
  }

  dispose() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearTimeout(this.markTimer);
  }
}

// aria-posinset / aria-setsize: each row's place among the rows under the same parent row.
function setPositions(rows) {
  const groups = new Map();
  for (const r of rows) {
    const k = r.parentRow ?? null;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  for (const list of groups.values()) list.forEach((r, i) => { r.pos = i + 1; r.size = list.length; });
}
