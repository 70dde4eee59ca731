// Operations: every operation of GET /api/v1/operations as a form generated
// from its declaration (path, query and body parameters with their types),
// executed for real against the node; the answer is shown as it came.
import { h, clear } from "../dom.js";
import { get, api, ApiError } from "../api.js";

function input(p) {
  const common = { name: p.name, id: `op-${p.opName}-${p.in}-${p.name}`, required: p.required || null };
  if (p.type === "enum") {
    return h("select", common, p.required ? null : h("option", { value: "" }, "(default)"),
      (p.values || []).map((v) => h("option", { value: v, selected: v === p.default }, v)));
  }
  if (p.type === "boolean") {
    return h("select", common, h("option", { value: "" }, "(default)"), h("option", { value: "true" }, "true"),
      h("option", { value: "false" }, "false"));
  }
  if (p.type === "json") return h("textarea", { ...common, rows: 2, placeholder: "any JSON value" });
  return h("input", { ...common, type: p.type === "integer" ? "number" : "text",
    placeholder: p.default !== undefined ? `default ${p.default}` : p.type === "pid" ? "0.5.0 or a registered name" : "" });
}

// The request an operation's form describes: method, path with its
// parameters filled in, query string and JSON body.
function requestOf(op, form) {
  let path = op.path;
  const query = new URLSearchParams();
  const body = {};
  let hasBody = false;
  for (const p of op.params) {
    const raw = form.elements[p.name]?.value ?? "";
    if (raw === "") continue;
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(raw.replace(/[<>]/g, "")));
    else if (p.in === "query") query.set(p.name, raw);
    else {
      hasBody = true;
      if (p.type === "json") {
        try {
          body[p.name] = JSON.parse(raw);
        } catch (err) {
          throw new Error(`${p.name} is not JSON: ${err.message}`);
        }
      } else if (p.type === "integer") body[p.name] = Number(raw);
      else if (p.type === "boolean") body[p.name] = raw === "true";
      else body[p.name] = raw;
    }
  }
  const missing = op.params.find((p) => p.in === "path" && path.includes(`{${p.name}}`));
  if (missing) throw new Error(`${missing.name} is needed (it is part of the path)`);
  const qs = query.toString();
  const bodyOps = op.method === "POST" || op.method === "PUT" || op.method === "PATCH";
  return { method: op.method, url: path + (qs ? `?${qs}` : ""), body: hasBody || bodyOps ? body : undefined };
}

function opForm(op) {
  const result = h("pre", { class: "result", hidden: true });
  const resultStatus = h("p", { class: "result-status", role: "status", "aria-live": "polite" });
  const fields = op.params.map((p) => {
    p.opName = op.name;
    const control = input(p);
    return h("label", { for: control.id },
      h("span", {}, `${p.name}`, h("span", { class: "muted" }, ` (${p.in}, ${p.type}${p.required ? ", required" : ""})`)),
      control, p.description ? h("span", { class: "hint" }, p.description) : null);
  });
  const form = h("form", {}, fields,
    h("div", { class: "toolbar" },
      h("button", { type: "submit", class: op.destructive ? "danger" : null }, op.destructive ? "Execute (changes the node)" : "Execute")),
    resultStatus, result);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let req;
    try {
      req = requestOf(op, form);
    } catch (err) {
      resultStatus.textContent = err.message;
      return;
    }
    resultStatus.textContent = `${req.method} ${req.url} …`;
    try {
      const { status, json } = await api(req.method, req.url, req.body);
      resultStatus.textContent = `${req.method} ${req.url} → ${status}`;
      result.textContent = JSON.stringify(json.success === true ? json.data : json, null, 2);
    } catch (err) {
      resultStatus.textContent = `${req.method} ${req.url} → ${err instanceof ApiError ? `${err.status} ${err.code}` : "failed"}`;
      result.textContent = err.message;
    }
    result.hidden = false;
  });
  return h("details", { class: "op", "data-op": op.name },
    h("summary", {}, h("span", { class: "method" }, op.method), h("code", {}, op.path), h("strong", {}, op.name),
      op.destructive ? h("span", { class: "badge bad" }, "destructive") : null),
    h("p", {}, op.description), form);
}

export function mount(el) {
  const filter = h("input", { type: "search", placeholder: "Filter operations", "aria-label": "Filter operations" });
  const list = h("div");
  el.append(h("h1", {}, "Operations"),
    h("p", { class: "muted" }, "Every operation of the REST API, generated from its registry (GET /api/v1/operations). ",
      h("a", { href: "/api/v1/openapi.json" }, "OpenAPI document")),
    h("div", { class: "toolbar" }, filter), list);
  let ops = [];
  const render = () => {
    clear(list);
    const q = filter.value.trim().toLowerCase();
    for (const op of ops) if (!q || `${op.name} ${op.path} ${op.description}`.toLowerCase().includes(q)) list.append(opForm(op));
  };
  filter.addEventListener("input", render);
  get("/api/v1/operations").then((res) => {
    ops = res.data;
    render();
    el.dataset.ready = "1";
  }, (err) => list.append(h("p", { class: "status", "data-kind": "error" }, `Cannot list the operations: ${err.message}`)));
}
