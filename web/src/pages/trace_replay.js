// The trace page's time line: the trace events and the tree frames of one
// session, in node time (t_us), and the supervision trees at any moment of
// it, replayed from the snapshot taken when the session started plus the
// tree frames up to that moment (restarts, new pids, terminations).
export class Timeline {
  constructor() {
    this.items = [];     // {t, type: "event"|"tree", event, change}, by t
  }

  add(item) {
    const items = this.items;
    let i = items.length;
    while (i > 0 && items[i - 1].t > item.t) i--;   // the two streams interleave
    items.splice(i, 0, item);
    return i;
  }

  get length() {
    return this.items.length;
  }

  // The trace events among the first n items; with restarts, the tree
  // stream's restarts too (once each: a session on every process has them
  // already), so the diagram shows where a supervisor stepped in.
  eventsUpTo(n, { restarts = false } = {}) {
    const out = [], seen = new Set();
    const key = (ev) => `${ev.pid}|${ev.id}|${ev.new_pid}`;
    for (let i = 0; i < n && i < this.items.length; i++) {
      const item = this.items[i];
      if (item.type === "event") {
        if (item.event.kind === "sup_restart") {
          if (seen.has(key(item.event))) continue;
          seen.add(key(item.event));
        }
        out.push(item.event);
      } else if (restarts && item.change === "restarted" && !seen.has(key(item.event))) {
        seen.add(key(item.event));
        out.push(item.event);
      }
    }
    return out;
  }

  timeOf(n) {
    return n > 0 ? this.items[Math.min(n, this.items.length) - 1].t : null;
  }
}

function copySup(s) {
  return { pid: s.pid, name: s.name, strategy: s.strategy, alive: s.alive !== false,
           children: s.children.map((c) => ({ id: c.id, pid: c.pid, type: c.type, state: c.state })) };
}

// The trees after the first n items of the time line, from snapshot (the
// supervisors as TreeModel holds them).
export function treesAt(snapshot, timeline, n) {
  const sups = new Map(snapshot.map((s) => [s.pid, copySup(s)]));
  for (let i = 0; i < n && i < timeline.items.length; i++) {
    const item = timeline.items[i];
    if (item.type !== "tree") continue;
    const ev = item.event;
    let sup = sups.get(ev.pid);
    if (!sup && item.change === "started") {      // a supervisor started (or restarted) during the session
      sup = { pid: ev.pid, name: ev.pid_name || ev.pid_label, strategy: ev.strategy, alive: true, children: [] };
      sups.set(ev.pid, sup);
    }
    if (!sup) continue;
    const child = sup.children.find((c) => c.id === String(ev.id));
    if (item.change === "started") {
      if (child) Object.assign(child, { pid: ev.child, state: "running" });
      else sup.children.push({ id: String(ev.id), pid: ev.child, type: "worker", state: "running" });
    } else if (item.change === "restarted" && child) {
      if (child.type === "supervisor") sups.delete(child.pid);
      Object.assign(child, { pid: ev.new_pid, state: "running" });
    } else if (item.change === "terminated" && child) {
      child.state = "terminated";
    } else if (item.change === "shutdown") {
      sup.alive = false;
    }
  }
  return sups;
}
