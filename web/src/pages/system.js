// System: live charts of the node from the event stream's metrics frames
// (one a second: processes, memory, messages/s, reductions/s, run queue),
// the last five minutes kept in the page; health, anomalies and bottlenecks
// from the REST API, asked again every fifth frame; JSON and CSV export of
// what the charts hold.
import uPlot from "uplot";
import { h, clear, fmtBytes, fmtNum, download } from "../dom.js";
import { get } from "../api.js";
import { openEvents } from "../events.js";
import { openProcessPanel } from "./process_panel.js";

const KEEP = 300;
const SERIES = [
  { key: "process_count", label: "Processes", fmt: fmtNum },
  { key: "memory", label: "Memory (total)", fmt: fmtBytes },
  { key: "messages_per_s", label: "Messages / s", fmt: (v) => fmtNum(v, 2) },
  { key: "reductions_per_s", label: "Reductions / s", fmt: (v) => fmtNum(v, 0) },
  { key: "run_queue", label: "Run queue", fmt: fmtNum },
];

function chartBox(s) {
  const value = h("span", { class: "value", "data-metric": s.key }, "—");
  const plot = h("div", { class: "plot" });
  return { el: h("figure", { class: "chart" }, h("h3", {}, s.label, value), plot), value, plot };
}

function pidCell(p) {
  return h("button", { type: "button", class: "pid link", onclick: () => openProcessPanel(p.pid) }, p.name ? `${p.name} ${p.pid}` : p.pid);
}

export function mount(el) {
  const times = [];
  const values = Object.fromEntries(SERIES.map((s) => [s.key, []]));
  const health = h("div", { class: "health" }, h("p", { class: "muted" }, "loading…"));
  const anomalies = h("div");
  const bottlenecks = h("div", { class: "charts" });
  const boxes = SERIES.map(chartBox);
  const plots = [];
  el.append(h("h1", {}, "System"),
    h("div", { class: "toolbar" },
      h("button", { type: "button", onclick: () => exportJson() }, "Export JSON"),
      h("button", { type: "button", onclick: () => exportCsv() }, "Export CSV"),
      h("span", { class: "muted", "data-frames": "0" }, "waiting for the first metrics frame…")),
    health, h("div", { class: "charts" }, boxes.map((b) => b.el)),
    h("h2", {}, "Anomalies"), anomalies, h("h2", {}, "Bottlenecks"), bottlenecks);
  const counter = el.querySelector("[data-frames]");

  const width = () => Math.max(300, (boxes[0].plot.clientWidth || 440) - 4);
  function makePlots() {
    boxes.forEach((b, i) => {
      const s = SERIES[i];
      plots[i] = new uPlot({
        width: width(), height: 160, legend: { show: false },
        scales: { x: { time: true } },
        axes: [{ stroke: "currentColor" }, { stroke: "currentColor", size: 84, values: (u, ticks) => ticks.map((t) => s.fmt(t)) }],
        series: [{}, { label: s.label, stroke: "#2f81f7", width: 2, fill: "rgba(47,129,247,0.12)" }],
      }, [times, values[s.key]], b.plot);
    });
  }

  let frames = 0;
  function onMetrics(f) {
    times.push(Date.now() / 1000);
    for (const s of SERIES) values[s.key].push(typeof f[s.key] === "number" ? f[s.key] : null);
    if (times.length > KEEP) {
      times.shift();
      for (const s of SERIES) values[s.key].shift();
    }
    boxes.forEach((b, i) => {
      b.value.textContent = SERIES[i].fmt(f[SERIES[i].key]);
      plots[i]?.setData([times, values[SERIES[i].key]]);
    });
    frames++;
    counter.dataset.frames = String(frames);
    counter.textContent = `${frames} metrics frames from the node${f.trace_dropped ? `, ${f.trace_dropped} events dropped` : ""}`;
    if (frames % 5 === 1) loadReports();
  }

  async function loadReports() {
    try {
      const [hl, an, bn, mt] = await Promise.all([get("/api/v1/system/health"), get("/api/v1/system/anomalies"),
        get("/api/v1/system/bottlenecks"), get("/api/v1/system/metrics")]);
      const d = hl.data;
      const mem = mt.data.memory || {};
      const sandboxes = Object.entries(mem.sandboxes || {});
      clear(health).append(h("p", {},
        h("strong", { "data-health": d.status }, `Health: ${d.status}`),
        ` · ${fmtNum(d.process_count)} processes · ${fmtBytes(d.memory)} · run queue ${fmtNum(d.run_queue)}`,
        d.reasons?.length ? h("ul", {}, d.reasons.map((r) => h("li", {}, typeof r === "string" ? r : JSON.stringify(r)))) : null),
        h("p", { class: "memory-by-kind" }, "Memory by kind: ",
          h("span", { "data-kind": "processes" }, `processes ${fmtBytes(mem.processes)}`), " · ",
          h("span", { "data-kind": "system" }, `system ${fmtBytes(mem.system)}`), " · ",
          h("span", { "data-kind": "sandboxes" }, sandboxes.length
            ? `sandboxes ${sandboxes.map(([n, b]) => `${n} ${fmtBytes(typeof b === "number" ? b : b?.total)}`).join(", ")}`
            : "no sandbox"), " · ", `total ${fmtBytes(mem.total)}`));
      clear(anomalies).append(an.data.length
        ? h("ul", {}, an.data.map((a) => h("li", {}, h("strong", {}, a.kind || a.type || "anomaly"), " ",
          a.message || a.description || JSON.stringify(a))))
        : h("p", { class: "muted" }, "None found on the node now."));
      clear(bottlenecks);
      for (const [key, list] of Object.entries(bn.data)) {
        if (!Array.isArray(list)) continue;
        const metric = key.replace(/^by_/, "");
        const field = metric === "mailbox" ? "message_queue_len" : metric;
        bottlenecks.append(h("figure", { class: "chart" }, h("h3", {}, `Top by ${metric}`),
          h("table", {}, h("tbody", {}, list.map((p) => h("tr", {}, h("td", {}, pidCell(p)),
            h("td", { class: "num" }, field === "memory" ? fmtBytes(p[field]) : fmtNum(p[field]))))))));
      }
      el.dataset.ready = "1";
    } catch (err) {
      clear(health).append(h("p", { class: "status", "data-kind": "error" }, `Cannot read the node's health: ${err.message}`));
    }
  }

  function rows() {
    return times.map((t, i) => Object.fromEntries([["time", new Date(t * 1000).toISOString()],
      ...SERIES.map((s) => [s.key, values[s.key][i]])]));
  }
  const exportJson = () => download("otplab-metrics.json", JSON.stringify(rows(), null, 2), "application/json");
  const exportCsv = () => {
    const cols = ["time", ...SERIES.map((s) => s.key)];
    download("otplab-metrics.csv", [cols.join(","), ...rows().map((r) => cols.map((c) => r[c] ?? "").join(","))].join("\n") + "\n", "text/csv");
  };

  makePlots();
  loadReports();
  const onResize = () => plots.forEach((p) => p.setSize({ width: width(), height: 160 }));
  window.addEventListener("resize", onResize);
  const stop = openEvents({ kinds: ["sup_shutdown"] }, (f) => { if (f.type === "metrics") onMetrics(f); });
  return () => {
    stop();
    window.removeEventListener("resize", onResize);
    plots.forEach((p) => p.destroy());
  };
}
