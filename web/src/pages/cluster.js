// Cluster: the node's distribution (API.md section 11) when the API serves
// it; until then, says so, after asking the operations registry.
import { h, statusLine } from "../dom.js";
import { get } from "../api.js";

export function mount(el) {
  const status = statusLine();
  const out = h("div");
  el.append(h("h1", {}, "Cluster"), status, out);
  get("/api/v1/operations").then(async (res) => {
    const health = res.data.find((op) => op.path === "/api/v1/cluster/health");
    if (!health) {
      out.append(h("p", {}, "This node's API does not serve the cluster operations yet (API.md section 11); ",
        "the node runs alone as far as the dashboard can tell."));
    } else {
      const r = await get("/api/v1/cluster/health");
      out.append(h("pre", {}, JSON.stringify(r.data, null, 2)));
    }
    el.dataset.ready = "1";
  }).catch((err) => status.show(`Cannot read the cluster: ${err.message}`, "error"));
}
