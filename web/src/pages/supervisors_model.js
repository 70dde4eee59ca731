// The supervision trees as the page knows them: loaded once from REST, then
// kept current by the tree frames of the event stream (child started,
// restarted, terminated; supervisor shut down). A supervisor the page has
// not seen (a restarted sub-supervisor, a new dynamic one) is fetched once.
import { get, pidPath, inPool } from "../api.js";

export class TreeModel {
  constructor(onChange) {
    this.sups = new Map();          // pid -> supervisor
    this.onChange = onChange;       // (kind, sup, child?) after each update
    this.pending = new Map();       // pid -> fetch in flight
    this.foreign = new Set();       // supervisors the API does not describe (inside a sandbox)
  }

  // A supervisor seen first in the event stream: described only if the API
  // lists it (one inside a sandbox has events but no REST resource).
  discover(pid) {
    if (this.foreign.has(pid) || this.pending.has(pid)) return this.pending.get(pid) || Promise.resolve();
    const job = (async () => {
      const list = await get("/api/v1/supervisors");
      const known = list.data.find((s) => s.pid === pid);
      this.pending.delete(pid);
      if (known) await this.fetchSup(pid, known.restarts > 0);
      else {
        this.foreign.add(pid);
        this.onChange("foreign", { pid });
      }
    })();
    this.pending.set(pid, job);
    return job.finally(() => { if (this.pending.get(pid) === job) this.pending.delete(pid); });
  }

  async loadAll() {
    const list = await get("/api/v1/supervisors");
    let failed = 0, done = 0;
    // a supervisor that never restarted has no history worth asking for
    await inPool(list.data, 6, (s) => this.fetchSup(s.pid, s.restarts > 0)
      .catch(() => failed++)
      .finally(() => this.onProgress?.(++done, list.data.length)));
    return { total: list.data.length, failed };
  }

  // One supervisor's details and restart history, merged into the model.
  fetchSup(pid, withHistory = true) {
    if (this.pending.has(pid)) return this.pending.get(pid);
    const job = (async () => {
      try {
        const [info, analytics] = await Promise.all([
          get(`/api/v1/supervisors/${pidPath(pid)}`),
          withHistory ? get(`/api/v1/supervisors/${pidPath(pid)}/analytics`) : { data: { history: [], failure_rate: 0 } },
        ]);
        this.merge(info.data, analytics.data);
      } catch (err) {
        if (err.status === 404) this.drop(pid);
        else throw err;
      } finally {
        this.pending.delete(pid);
      }
    })();
    this.pending.set(pid, job);
    return job;
  }

  merge(info, analytics) {
    const restartsById = new Map();
    for (const r of analytics.history) restartsById.set(String(r.id), (restartsById.get(String(r.id)) || 0) + 1);
    const old = this.sups.get(info.pid);
    const sup = {
      pid: info.pid, name: info.name, strategy: info.strategy, budget: info.budget,
      restarts: info.restarts, failureRate: analytics.failure_rate, alive: true,
      collapsed: old ? old.collapsed : info.children.length > 200,
      // which_children lists the newest first; the page shows start order
      children: info.children.slice().reverse().map((c) => ({
        id: String(c.id), pid: c.pid, type: c.type, name: c.name,
        restarts: restartsById.get(String(c.id)) || 0,
        state: typeof c.pid === "string" && c.pid.startsWith("<") ? "running" : String(c.pid),
      })),
    };
    this.sups.set(sup.pid, sup);
    this.onChange("sup", sup);
  }

  drop(pid) {
    if (this.sups.delete(pid)) this.onChange("drop", { pid });
  }

  child(sup, id) {
    return sup.children.find((c) => c.id === String(id));
  }

  // Which supervisor has pid as a child, if any.
  parentOf(pid) {
    for (const sup of this.sups.values()) if (sup.children.some((c) => c.pid === pid)) return sup;
    return null;
  }

  // A tree frame {change, event} of the event stream.
  apply(change, ev) {
    const sup = this.sups.get(ev.pid);
    if (!sup) {
      if (change !== "shutdown") this.discover(ev.pid).catch(() => {});
      return;
    }
    if (change === "restarted") {
      const c = this.child(sup, ev.id);
      if (!c) return this.fetchSup(sup.pid);
      const was = ev.old_pid ?? c.pid;
      c.pid = ev.new_pid;
      c.state = "running";
      c.restarts++;
      sup.restarts++;
      if (c.type === "supervisor") {
        this.sups.delete(was);
        this.discover(ev.new_pid).catch(() => {});
      }
      this.onChange("restart", sup, c, was);
      this.refreshBudget(sup);
    } else if (change === "started") {
      const c = this.child(sup, ev.id);
      if (!c) return this.fetchSup(sup.pid);        // a child added at run time
      if (c.pid !== ev.child) {
        const was = c.pid;
        c.pid = ev.child;
        c.state = "running";
        this.onChange("child", sup, c, was);
      }
    } else if (change === "terminated") {
      const c = this.child(sup, ev.id);
      if (!c) return;
      c.state = "terminated";
      this.onChange("child", sup, c, c.pid);
    } else if (change === "shutdown") {
      sup.alive = false;
      this.onChange("sup", sup);
    }
  }

  // The budget counts restarts over the last period: ask the node after a
  // restart, and once more when that restart leaves the period.
  refreshBudget(sup) {
    clearTimeout(sup.budgetTimer);
    const again = async () => {
      try {
        const info = await get(`/api/v1/supervisors/${pidPath(sup.pid)}`);
        sup.budget = info.data.budget;
        sup.restarts = info.data.restarts;
        this.onChange("budget", sup);
      } catch {
        /* gone: its shutdown frame says so */
      }
    };
    again();
    sup.budgetTimer = setTimeout(again, (sup.budget?.period || 5) * 1000 + 250);
  }

  dispose() {
    for (const sup of this.sups.values()) clearTimeout(sup.budgetTimer);
  }
}
