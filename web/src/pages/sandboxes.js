// Sandboxes: the node's sandboxes with their memory, processes, limits,
// limit kills and restarts; create one with limits (optionally running the
// demo tree inside), restart or destroy it.
import { h, clear, fmtBytes, fmtNum, statusLine } from "../dom.js";
import { get, post, del } from "../api.js";

export function mount(el) {
  const status = statusLine();
  const body = h("tbody");
  const name = h("input", { name: "name", required: true, placeholder: "lab", "aria-label": "Sandbox name" });
  const mem = h("input", { name: "max_memory", type: "number", min: 1, value: 16, "aria-label": "Memory cap in MiB" });
  const procs = h("input", { name: "max_processes", type: "number", min: 1, value: 100, "aria-label": "Process cap" });
  const demo = h("input", { type: "checkbox", name: "demo" });
  const form = h("form", { class: "toolbar" }, name, h("label", {}, mem, " MiB"), h("label", {}, procs, " processes"),
    h("label", {}, demo, " run the demo tree inside"), h("button", { type: "submit" }, "Create"));
  el.append(h("h1", {}, "Sandboxes"), form, status,
    h("table", { class: "sandboxes" }, h("thead", {}, h("tr", {}, ["name", "root", "processes", "memory", "limits", "limit kills", "restarts", "actions"]
      .map((t) => h("th", { scope: "col" }, t)))), body));

  async function load() {
    try {
      const res = await get("/api/v1/sandboxes");
      clear(body);
      for (const s of res.data) {
        const act = (label, fn) => h("button", { type: "button", "data-action": label, onclick: async () => {
          try { await fn(); status.show(`${label} ${s.name}: done`); } catch (err) { status.show(err.message, "error"); }
          load();
        } }, label);
        const limits = Object.entries(s.limits || {}).map(([k, v]) => `${k} ${k === "max_memory" ? fmtBytes(v) : fmtNum(v)}`).join(", ");
        body.append(h("tr", { "data-sandbox": s.name }, h("th", { scope: "row" }, s.name), h("td", {}, s.root ?? "—"),
          h("td", { class: "num" }, fmtNum(s.processes)), h("td", { class: "num" }, fmtBytes(s.memory)),
          h("td", {}, limits || "none"), h("td", { class: "num" }, fmtNum(s.limit_kills)), h("td", { class: "num" }, fmtNum(s.restarts)),
          h("td", {}, act("restart", () => post(`/api/v1/sandboxes/${encodeURIComponent(s.name)}/restart`)), " ",
            act("destroy", () => del(`/api/v1/sandboxes/${encodeURIComponent(s.name)}`)))));
      }
      if (!res.data.length) body.append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No sandbox yet.")));
      el.dataset.ready = "1";
    } catch (err) {
      status.show(`Cannot list the sandboxes: ${err.message}`, "error");
    }
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await post("/api/v1/sandboxes", { name: name.value.trim(), max_memory: Number(mem.value) * 1024 * 1024,
        max_processes: Number(procs.value), demo: demo.checked });
      status.show(`created ${name.value.trim()}`);
    } catch (err) {
      status.show(err.message, "error");
    }
    load();
  });
  load();
}
