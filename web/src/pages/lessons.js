// Lessons: the course as the node lists it (GET /api/v1/lessons), and one
// lesson run on the node, watched live: its narration read by offset (a
// request that waits for news), its pauses answered here (continue, and
// check at an exercise), its supervision tree drawn beside the text by the
// Supervisors page's renderer. One lesson runs at a time; Stop ends it and
// kills what it started.
import { h, clear, statusLine } from "../dom.js";
import { get, post, del } from "../api.js";
import { mountLessonTree } from "./lesson_tree.js";

const WAIT_MS = 1200;
const ACTIVE = new Set(["running", "paused"]);
const STATE_TEXT = { running: "running", paused: "waiting for you", finished: "finished", failed: "failed",
  stopped: "stopped", timeout: "stopped: time is up" };

export function mount(el) {
  const status = statusLine();
  const list = h("ol", { class: "lessons" });
  const title = h("h2", {}, "");
  const badge = h("span", { class: "badge", "data-role": "run-state" });
  const stopButton = h("button", { type: "button", class: "danger", "data-action": "stop-lesson", onclick: () => stop() }, "Stop");
  const narration = h("div", { class: "narration", "aria-live": "polite", "aria-label": "The lesson's narration" });
  const pauseBox = h("div", { class: "lesson-pause", hidden: true });
  const treeBox = h("div", { class: "lesson-tree" });
  const panel = h("section", { class: "lesson-run", hidden: true, "aria-label": "The lesson running on this node" },
    h("header", { class: "toolbar" }, title, badge, stopButton),
    h("div", { class: "lesson-columns" }, h("div", { class: "lesson-text" }, narration, pauseBox), treeBox));
  el.append(h("h1", {}, "Lessons"),
    h("p", { class: "muted" }, "Run one here and watch its tree, or in a terminal with ", h("code", {}, "otplab lesson N"), "."),
    status, panel, list);

  const tree = mountLessonTree(treeBox);
  let runId = null, next = 0, following = false, gone = false, last = null;

  function entryEl(e) {
    if (e.kind === "pause") {
      return h("p", { class: "entry pause", "data-seq": e.seq }, e.exercise ? "Exercise, your turn:" : "Paused here", e.text ? ` ${e.text}` : "");
    }
    if (e.kind === "end") return h("p", { class: "entry end", "data-seq": e.seq }, h("strong", {}, e.text));
    return h("pre", { class: "entry", "data-seq": e.seq }, e.text);
  }

  function showPause(run) {
    clear(pauseBox);
    pauseBox.hidden = run.state !== "paused";
    pauseBox.dataset.seq = pauseBox.hidden ? "" : String(run.pause?.seq);
    if (pauseBox.hidden) return;
    const p = run.pause || {};
    const vars = Object.entries(p.vars || {});
    pauseBox.append(
      h("p", {}, p.exercise ? "Exercise: act on the node (the Supervisors and Operations pages), then check. Continue without solving runs the lesson's own solution."
        : p.hint || "The lesson waits: look at the tree, try things on the other pages, then continue."),
      vars.length ? h("dl", { class: "lesson-vars" }, vars.map(([k, v]) => [h("dt", {}, k), h("dd", {}, h("code", {}, v))])) : null,
      h("div", { class: "toolbar" },
        h("button", { type: "button", "data-action": "continue", onclick: () => answer("continue") }, "Continue"),
        p.exercise ? h("button", { type: "button", "data-action": "check", onclick: () => answer("check") }, "Check") : null));
    pauseBox.querySelector("button")?.focus({ preventScroll: true });
  }

  function show(run) {
    if (run.id !== runId) {
      runId = run.id;
      clear(narration);
      tree.reset();
    }
    panel.hidden = false;
    title.textContent = run.title;
    badge.textContent = STATE_TEXT[run.state] || run.state;
    badge.dataset.state = run.state;
    el.dataset.runState = run.state;
    stopButton.textContent = ACTIVE.has(run.state) ? "Stop" : "Clear its processes";
    stopButton.disabled = !ACTIVE.has(run.state) && run.processes_cleaned;
    for (const e of run.entries) narration.append(entryEl(e));
    if (run.entries.length) narration.scrollTop = narration.scrollHeight;
    next = run.next;
    const pauseKey = run.state === "paused" ? `${run.id}:${run.pause?.seq}` : null;   // a check's verdict is no new pause
    if (pauseKey !== last) showPause(run);
    last = pauseKey;
    tree.sync(run.supervisors || []);
  }

  // Reads the run until it ends: each request waits up to WAIT_MS for news.
  async function follow() {
    if (following) return;
    following = true;
    try {
      while (!gone) {
        let run;
        try {
          run = (await get(`/api/v1/lessons/run?after=${next}&wait_ms=${WAIT_MS}`)).data;
        } catch (err) {
          if (err.status === 404) break;
          status.show(`Cannot read the lesson: ${err.message}`, "error");
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        if (gone || run.state === "none") break;
        if (run.id !== runId) {            // another run started (in another tab): read it from its start
          next = 0;
          run = (await get("/api/v1/lessons/run?after=0")).data;
        }
        show(run);
        if (!ACTIVE.has(run.state)) break;
      }
    } finally {
      following = false;
    }
  }

  async function act(label, fn) {
    status.show(`${label}…`, "busy");
    try {
      const r = await fn();
      status.show("");
      return r;
    } catch (err) {
      status.show(`${label}: ${err.message}`, "error");
      return null;
    }
  }

  async function start(n) {
    const r = await act(`Starting lesson ${n}`, () => post(`/api/v1/lessons/${n}/run`, {}));
    if (!r) return;
    next = 0;
    show(r.data);
    follow();
  }
  async function answer(what) {
    const r = await act(what === "check" ? "Checking" : "Continuing", () => post(`/api/v1/lessons/run/${what}`, {}));
    if (r) follow();
  }
  async function stop() {
    const r = await act("Stopping the lesson", () => del("/api/v1/lessons/run"));
    if (r) show(r.data);
  }

  get("/api/v1/lessons").then((res) => {
    for (const l of res.data) {
      list.append(h("li", { value: l.number, "data-lesson": l.number },
        h("strong", {}, l.title), " ", h("code", { class: "muted" }, l.file), " ",
        l.runs_on_dashboard
          ? h("button", { type: "button", "data-action": "run", onclick: () => start(l.number), "aria-label": `Run ${l.title}` }, "Run")
          : h("span", { class: "muted" }, "(runs programs of its own: in a terminal only)")));
    }
    el.dataset.ready = "1";
  }, (err) => status.show(`Cannot list the lessons: ${err.message}`, "error"));
  get("/api/v1/lessons/run?after=0").then((r) => {
    if (r.data.state === "none" || runId !== null) return;   // none yet, or one started here meanwhile
    show(r.data);
    if (ACTIVE.has(r.data.state)) follow();
  }, () => { /* no lesson has run yet */ });

  return () => {
    gone = true;
    tree.destroy();
  };
}
