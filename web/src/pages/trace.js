// Trace: a live trace session over the event stream (kinds and pids chosen
// here, the node's trace session behind the WebSocket), drawn as a Mermaid
// sequence diagram that grows as events arrive; stop, then export the
// events as JSON Lines or the diagram as Mermaid text.
import { h, clear, download, statusLine } from "../dom.js";
import { openEvents } from "../events.js";
import { diagram } from "./trace_diagram.js";

const KINDS = ["send", "receive", "exit", "spawn", "link", "down", "sup_restart", "send_to_dead"];
const DEFAULT_KINDS = new Set(["send", "exit", "spawn", "down", "sup_restart", "send_to_dead"]);

let mermaidLoad = null;
function loadMermaid() {
  mermaidLoad ||= import("mermaid").then((m) => {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    m.default.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    return m.default;
  });
  return mermaidLoad;
}

export function mount(el) {
  const status = statusLine();
  const pids = h("input", { name: "pids", placeholder: "all processes, or e.g. counter_a, 0.5.0", "aria-label": "Processes to trace" });
  const cap = h("input", { name: "max", type: "number", min: 10, value: 5000, "aria-label": "Keep at most this many events" });
  const kindBoxes = KINDS.map((k) => h("label", {}, h("input", { type: "checkbox", name: "kind", value: k, checked: DEFAULT_KINDS.has(k) }), ` ${k}`));
  const start = h("button", { type: "submit", class: "start" }, "Start");
  const stopBtn = h("button", { type: "button", class: "stop", disabled: true }, "Stop");
  const count = h("span", { class: "count", "aria-live": "polite" }, "0 events");
  const view = h("div", { class: "diagram", "aria-label": "Sequence diagram" }, h("p", { class: "muted" }, "Start a session to see the messages."));
  const source = h("pre", { class: "mermaid-source", hidden: true });
  const log = h("ol", { class: "event-log", "aria-label": "Events" });
  const form = h("form", { class: "toolbar" }, pids, h("span", {}, kindBoxes), h("label", {}, "keep ", cap), start, stopBtn);
  el.append(h("h1", {}, "Trace"), form,
    h("div", { class: "toolbar" }, count,
      h("button", { type: "button", onclick: () => exportJsonl() }, "Export JSON Lines"),
      h("button", { type: "button", onclick: () => exportMermaid() }, "Export Mermaid"),
      h("button", { type: "button", onclick: () => { source.hidden = !source.hidden; } }, "Show Mermaid text")),
    status, h("div", { class: "trace-layout" }, h("div", {}, view, source), log));
  el.dataset.ready = "1";

  let events = [], stop = null, drawTimer = null, drawing = false, dirty = false, renders = 0;
  const max = () => Math.max(10, Number(cap.value) || 5000);

  async function draw() {
    if (drawing) { dirty = true; return; }
    drawing = true;
    const { text } = diagram(events);
    source.textContent = text;
    try {
      const mermaid = await loadMermaid();
      const { svg } = await mermaid.render(`seq-${++renders}`, text);
      clear(view).innerHTML = svg;
      view.dataset.renders = String(renders);
    } catch (err) {
      status.show(`The diagram cannot be drawn: ${err.message}`, "error");
    }
    drawing = false;
    if (dirty) { dirty = false; schedule(); }
  }
  const schedule = () => { clearTimeout(drawTimer); drawTimer = setTimeout(draw, 250); };

  function onEvent(ev) {
    events.push(ev);
    if (events.length > max()) events.shift();
    count.textContent = `${events.length} events`;
    log.append(h("li", {}, `${ev.kind} ${ev.pid_name || ev.pid_label || ev.pid}${ev.to ? ` → ${ev.to_name || ev.to_label || ev.to}` : ""}`));
    while (log.childElementCount > 200) log.firstElementChild.remove();
    schedule();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    stop?.();
    const kinds = kindBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    if (!kinds.length) return status.show("Choose at least one kind of event.", "error");
    const list = pids.value.split(",").map((s) => s.trim()).filter(Boolean);
    events = [];
    clear(log);
    count.textContent = "0 events";
    stop = openEvents({ kinds, pids: list }, (frame) => {
      if (frame.type === "event") onEvent(frame.event);
      else if (frame.type === "error") status.show(`The node refused the session: ${frame.error.message}`, "error");
      else if (frame.type === "dropped") status.show(`${frame.count} events dropped (the browser was too slow; ${frame.total} in all)`, "error");
    }, () => status.show(`Tracing ${list.length ? list.join(", ") : "every process"}: ${kinds.join(", ")}`));
    start.disabled = true;
    stopBtn.disabled = false;
    el.dataset.tracing = "1";
  });
  stopBtn.addEventListener("click", () => {
    stop?.();
    stop = null;
    start.disabled = false;
    stopBtn.disabled = true;
    delete el.dataset.tracing;
    status.show(`Stopped with ${events.length} events.`);
    draw();
  });

  const exportJsonl = () => download("otplab-trace.jsonl", events.map((e) => JSON.stringify(e)).join("\n") + "\n", "application/x-ndjson");
  const exportMermaid = () => download("otplab-trace.mmd", diagram(events, { maxLines: Infinity }).text, "text/plain");
  return () => { stop?.(); clearTimeout(drawTimer); };
}
