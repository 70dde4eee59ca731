// The dashboard's shell: the navigation, and a router that mounts one page
// module at a time (each exports mount(el) -> unmount). Pages load on
// demand, so the trace page's mermaid is fetched only there.
import { h, clear } from "./dom.js";

const pages = [
  { path: "/supervisors", title: "Supervisors", load: () => import("./pages/supervisors.js") },
  { path: "/processes", title: "Processes", load: () => import("./pages/processes.js") },
  { path: "/trace", title: "Trace", load: () => import("./pages/trace.js") },
  { path: "/system", title: "System", load: () => import("./pages/system.js") },
  { path: "/sandboxes", title: "Sandboxes", load: () => import("./pages/sandboxes.js") },
  { path: "/operations", title: "Operations", load: () => import("./pages/operations.js") },
  { path: "/lessons", title: "Lessons", load: () => import("./pages/lessons.js") },
  { path: "/cluster", title: "Cluster", load: () => import("./pages/cluster.js") },
];

let unmount = null;
let generation = 0;

function pageFor(path) {
  const clean = path.replace(/\/+$/, "") || "/supervisors";
  return pages.find((p) => p.path === clean) || null;
}

function renderNav(current) {
  const nav = clear(document.getElementById("nav"));
  for (const p of pages) {
    nav.append(h("a", { href: p.path, "aria-current": p === current ? "page" : null }, p.title));
  }
}

async function show(path) {
  const page = pageFor(path);
  const el = document.getElementById("page");
  const mine = ++generation;
  unmount?.();
  unmount = null;
  renderNav(page);
  clear(el);
  delete el.dataset.ready;              // each page sets it once its first data is shown
  if (!page) {
    el.append(h("h1", {}, "No such page"), h("p", {}, `${path} is not a page of the dashboard; choose one above.`));
    return;
  }
  document.title = `${page.title} · otplab`;
  const mod = await page.load();
  if (mine !== generation) return;           // another page was chosen meanwhile
  el.dataset.page = page.path.slice(1);
  unmount = mod.mount(el) || null;
}

export function navigate(path) {
  history.pushState(null, "", path);
  show(path);
  document.getElementById("page").focus({ preventScroll: true });
}

document.addEventListener("click", (ev) => {
  const a = ev.target.closest?.("a[href]");
  if (!a || a.target || a.hasAttribute("download") || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => show(location.pathname));

if (location.pathname === "/") history.replaceState(null, "", "/supervisors");
show(location.pathname);
