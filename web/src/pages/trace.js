// Trace: a live trace session over the event stream (kinds and pids chosen
// here, the node's trace session behind the WebSocket), drawn as a Mermaid
// sequence diagram that grows as events arrive, and beside it the
// supervision trees at the same moment. A time slider replays both from
// what was recorded: the diagram up to an event and the trees as they were
// then (old pid before a restart, new pid after). Stop, then export the
// events as JSON Lines or the diagram as Mermaid text.
import { h, clear, download, statusLine } from "../dom.js";
import { openEvents } from "../events.js";
import { diagram } from "./trace_diagram.js";
import { Timeline, treesAt } from "./trace_replay.js";
import { TreeModel } from "./supervisors_model.js";

const KINDS = ["send", "receive", "exit", "spawn", "link", "down", "sup_restart", "send_to_dead"];
const DEFAULT_KINDS = new Set(["send", "exit", "spawn", "down", "sup_restart", "send_to_dead"]);
const TREE_KINDS = ["sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"];

let mermaidLoad = null;
function loadMermaid() {
  mermaidLoad ||= import("mermaid").then((m) => {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    m.default.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    return m.default;
  });
  return mermaidLoad;
}

// The trees, roots first, each sub-supervisor nested under its entry.
function treeView(sups) {
  const isChild = new Set();
  for (const sup of sups.values()) for (const c of sup.children) if (sups.has(c.pid)) isChild.add(c.pid);
  const supItem = (sup) => h("li", { "data-sup": sup.name || sup.pid },
    h("strong", {}, sup.name || sup.pid), ` ${sup.pid}`, sup.alive ? "" : " (shut down)",
    h("ul", {}, sup.children.map((c) => {
      const sub = c.type === "supervisor" && sups.get(c.pid);
      if (sub) return supItem(sub);
      return h("li", { "data-child": c.id, "data-state": c.state },
        `${c.id} `, h("code", { class: "pid" }, c.pid), c.state === "running" ? "" : ` ${c.state}`);
    })));
  return h("ul", { class: "tree-at" }, [...sups.values()].filter((s) => !isChild.has(s.pid)).map(supItem));
}

export function mount(el) {
  const status = statusLine();
  const pids = h("input", { name: "pids", placeholder: "all processes, or e.g. counter_a, 0.5.0", "aria-label": "Processes to trace" });
  const cap = h("input", { name: "max", type: "number", min: 10, value: 5000, "aria-label": "Keep at most this many events" });
  const kindBoxes = KINDS.map((k) => h("label", {}, h("input", { type: "checkbox", name: "kind", value: k, checked: DEFAULT_KINDS.has(k) }), ` ${k}`));
  const start = h("button", { type: "submit", class: "start" }, "Start");
  const stopBtn = h("button", { type: "button", class: "stop", disabled: true }, "Stop");
  const count = h("span", { class: "count", "aria-live": "polite" }, "0 events");
  const slider = h("input", { type: "range", name: "at", min: 0, max: 0, value: 0, disabled: true,
    "aria-label": "Replay up to this point of the session" });
  const sliderText = h("span", { class: "at", "aria-live": "polite" }, "live");
  const liveBtn = h("button", { type: "button", class: "follow", disabled: true }, "Follow live");
  const view = h("div", { class: "diagram", "aria-label": "Sequence diagram" }, h("p", { class: "muted" }, "Start a session to see the messages."));
  const source = h("pre", { class: "mermaid-source", hidden: true });
  const trees = h("div", { class: "trees-at", "aria-label": "The supervision trees at this moment" });
  const form = h("form", { class: "toolbar" }, pids, h("span", {}, kindBoxes), h("label", {}, "keep ", cap), start, stopBtn);
  el.append(h("h1", {}, "Trace"), form,
    h("div", { class: "toolbar" }, count,
      h("button", { type: "button", onclick: () => exportJsonl() }, "Export JSON Lines"),
      h("button", { type: "button", onclick: () => exportMermaid() }, "Export Mermaid"),
      h("button", { type: "button", onclick: () => { source.hidden = !source.hidden; } }, "Show Mermaid text")),
    h("div", { class: "toolbar replay" }, h("label", {}, "replay ", slider), sliderText, liveBtn),
    status, h("div", { class: "trace-layout" }, h("div", {}, view, source), h("div", {}, h("h2", {}, "Trees at this moment"), trees)));
  el.dataset.ready = "1";

  let timeline = new Timeline(), snapshot = [], stops = [], drawTimer = null, drawing = false, dirty = false, renders = 0;
  let follow = true, withRestarts = true;
  const max = () => Math.max(10, Number(cap.value) || 5000);
  const position = () => (follow ? timeline.length : Number(slider.value));

  async function draw() {
    if (drawing) { dirty = true; return; }
    drawing = true;
    const n = position();
    clear(trees).append(treeView(treesAt(snapshot, timeline, n)));
    trees.dataset.at = String(n);
    const { text } = diagram(timeline.eventsUpTo(n, { restarts: withRestarts }));
    source.textContent = text;
    try {
      const mermaid = await loadMermaid();
      const { svg } = await mermaid.render(`seq-${++renders}`, text);
      clear(view).innerHTML = svg;
      view.dataset.at = String(n);
    } catch (err) {
      status.show(`The diagram cannot be drawn: ${err.message}`, "error");
    }
    drawing = false;
    if (dirty) { dirty = false; schedule(); }
  }
  const schedule = (ms = 250) => { clearTimeout(drawTimer); drawTimer = setTimeout(draw, ms); };

  function showPosition() {
    const n = position();
    slider.max = String(timeline.length);
    if (follow) slider.value = String(timeline.length);
    const t = timeline.timeOf(n);
    sliderText.textContent = follow ? `live: ${timeline.length} items`
      : `item ${n} of ${timeline.length}${t !== null ? ` at ${(t / 1000).toFixed(1)} ms` : ""}`;
  }

  function onItem(item) {
    timeline.add(item);
    if (timeline.length > max()) timeline.items.shift();
    count.textContent = `${timeline.eventsUpTo(timeline.length).length} events`;
    showPosition();
    if (follow) schedule();
  }

  function stopStreams() {
    for (const s of stops) s();
    stops = [];
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    stopStreams();
    const kinds = kindBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    if (!kinds.length) return status.show("Choose at least one kind of event.", "error");
    const list = pids.value.split(",").map((s) => s.trim()).filter(Boolean);
    timeline = new Timeline();
    follow = true;
    withRestarts = kinds.includes("sup_restart");
    start.disabled = true;
    let opened = 0;
    const onOpen = () => {
      if (++opened === 2) status.show(`Tracing ${list.length ? list.join(", ") : "every process"}: ${kinds.join(", ")}`);
    };
    // the tree frames come on a stream of their own, for every supervisor
    stops.push(openEvents({ kinds: TREE_KINDS }, (f) => {
      if (f.type === "tree") onItem({ t: f.event.t_us, type: "tree", change: f.change, event: f.event });
    }, onOpen));
    // the snapshot the replay starts from: taken once the tree stream is open
    const model = new TreeModel(() => {});
    try {
      await model.loadAll();
      snapshot = [...model.sups.values()];
    } catch (err) {
      status.show(`Cannot read the trees: ${err.message}`, "error");
    }
    stops.push(openEvents({ kinds, pids: list }, (frame) => {
      if (frame.type === "event") onItem({ t: frame.event.t_us, type: "event", event: frame.event });
      else if (frame.type === "error") status.show(`The node refused the session: ${frame.error.message}`, "error");
      else if (frame.type === "dropped") status.show(`${frame.count} events dropped (the browser was too slow; ${frame.total} in all)`, "error");
    }, onOpen));
    stopBtn.disabled = false;
    slider.disabled = false;
    liveBtn.disabled = false;
    el.dataset.tracing = "1";
    showPosition();
    schedule(0);
  });
  stopBtn.addEventListener("click", () => {
    stopStreams();
    start.disabled = false;
    stopBtn.disabled = true;
    delete el.dataset.tracing;
    status.show(`Stopped with ${count.textContent}.`);
    schedule(0);
  });
  slider.addEventListener("input", () => {
    follow = Number(slider.value) >= timeline.length;
    showPosition();
    schedule(50);
  });
  liveBtn.addEventListener("click", () => { follow = true; showPosition(); schedule(0); });

  const exportJsonl = () => download("otplab-trace.jsonl",
    timeline.items.map((i) => JSON.stringify(i.type === "tree" ? { type: "tree", change: i.change, event: i.event } : i.event)).join("\n") + "\n",
    "application/x-ndjson");
  const exportMermaid = () => download("otplab-trace.mmd", diagram(timeline.eventsUpTo(timeline.length, { restarts: withRestarts }), { maxLines: Infinity }).text, "text/plain");
  return () => { stopStreams(); clearTimeout(drawTimer); };
}
