// Lessons: the course's lessons as the node lists them (GET /api/v1/lessons).
import { h, statusLine } from "../dom.js";
import { get } from "../api.js";

export function mount(el) {
  const status = statusLine();
  const list = h("ol", { class: "lessons" });
  el.append(h("h1", {}, "Lessons"),
    h("p", { class: "muted" }, "Run one in a terminal with ", h("code", {}, "otplab lesson N"), "."), status, list);
  get("/api/v1/lessons").then((res) => {
    for (const l of res.data) list.append(h("li", { value: l.number }, h("strong", {}, l.title), " ", h("code", { class: "muted" }, l.file)));
    el.dataset.ready = "1";
  }, (err) => status.show(`Cannot list the lessons: ${err.message}`, "error"));
}
