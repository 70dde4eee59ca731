// h(tag, attrs, ...children): a small element builder. attrs: class, text,
// on<event> handlers, dataset-style keys passed through setAttribute;
// children: nodes, strings, numbers, arrays (flattened), null/false skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function fmtBytes(n) {
  if (typeof n !== "number") return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function fmtNum(n, digits = 0) {
  if (typeof n !== "number") return "—";
  return n.toLocaleString("en", { maximumFractionDigits: digits });
}

// A file download of text made in the page (exports).
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A status line (aria-live) that shows the outcome of an action.
export function statusLine() {
  const el = h("p", { class: "status", role: "status", "aria-live": "polite" });
  el.show = (text, kind = "ok") => {
    el.textContent = text;
    el.dataset.kind = kind;
  };
  return el;
}
