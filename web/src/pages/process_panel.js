// The process panel: one process's info, state, mailbox, stack trace, links
// and monitors, with actions (kill, send / cast / call). A dialog beside the
// page; Escape or the close button closes it, and focus returns where it was.
import { h, clear, fmtBytes, fmtNum, statusLine } from "../dom.js";
import { get, del, post, pidPath, isPid, ApiError } from "../api.js";

let current = null;

export function closeProcessPanel() {
  if (!current) return;
  current.el.remove();
  document.removeEventListener("keydown", current.onKey);
  current.returnTo?.focus?.();
  current = null;
}

const show = (v) => (typeof v === "string" ? v : JSON.stringify(v, null, 2));

function pidList(list) {
  if (!list?.length) return h("span", { class: "muted" }, "none");
  return list.map((p) => (isPid(p)
    ? h("button", { type: "button", class: "pid link", onclick: () => openProcessPanel(p) }, p)
    : h("code", {}, show(p))));
}

async function section(title, load) {
  const body = h("div", { class: "panel-body" }, h("p", { class: "muted" }, "loading…"));
  const sec = h("section", {}, h("h3", {}, title), body);
  load().then((content) => clear(body).append(...[].concat(content)),
    (err) => clear(body).append(h("p", { class: "muted" }, err instanceof ApiError ? err.message : String(err))));
  return sec;
}

function infoTable(p) {
  const rows = [
    ["name", p.name ?? "—"], ["status", p.status], ["memory", fmtBytes(p.memory)],
    ["reductions", fmtNum(p.reductions)], ["mailbox", fmtNum(p.message_queue_len)],
    ["trap_exit", String(p.trap_exit)], ["parent", p.parent ? pidList([p.parent]) : "—"],
    ["initial call", p.initial_call ?? "—"], ["current location", p.current_location ?? "—"],
    ["links", pidList(p.links)], ["monitors", pidList(p.monitors)], ["monitored by", pidList(p.monitored_by)],
  ];
  return h("table", { class: "kv" }, h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)))));
}

function messageForm(pid, status) {
  const type = h("select", { "aria-label": "How to send" }, ["send", "cast", "call"].map((t) => h("option", { value: t }, t)));
  const text = h("textarea", { rows: 2, "aria-label": "Message as JSON", placeholder: '"next" or {"op": "add"}' });
  const form = h("form", { class: "msg-form" }, type, text, h("button", { type: "submit" }, "Send"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let message;
    try {
      message = JSON.parse(text.value);
    } catch (err) {
      status.show(`The message is not JSON: ${err.message}`, "error");
      return;
    }
    try {
      const r = await post(`/api/v1/processes/${pidPath(pid)}/message`, { type: type.value, message });
      status.show(type.value === "call" ? `reply: ${show(r.data.reply)}` : "sent");
    } catch (err) {
      status.show(err.message, "error");
    }
  });
  return form;
}

export async function openProcessPanel(pid) {
  const returnTo = current ? current.returnTo : document.activeElement;
  closeProcessPanel();
  const status = statusLine();
  const title = h("h2", { id: "panel-title" }, pid);
  const close = h("button", { type: "button", class: "close", "aria-label": "Close the panel", onclick: closeProcessPanel }, "×");
  const body = h("div", { class: "panel-sections" });
  const el = h("aside", { class: "panel", role: "dialog", "aria-labelledby": "panel-title", "data-pid": pid },
    h("header", {}, title, close), status, body);
  const onKey = (ev) => { if (ev.key === "Escape") closeProcessPanel(); };
  document.addEventListener("keydown", onKey);
  current = { el, onKey, returnTo };
  document.getElementById("panel-host").append(el);
  close.focus();

  const base = `/api/v1/processes/${pidPath(pid)}`;
  let info;
  try {
    info = (await get(base)).data;
  } catch (err) {
    body.append(h("p", {}, err.status === 404 ? `${pid} is not alive (it exited).` : err.message));
    return;
  }
  if (current?.el !== el) return;
  title.textContent = info.name ? `${info.name} ${pid}` : pid;
  const actions = h("div", { class: "toolbar" },
    h("button", { type: "button", class: "danger", onclick: async () => {
      try {
        await del(`${base}?reason=kill`);
        status.show(`kill sent to ${pid}`);
      } catch (err) { status.show(err.message, "error"); }
    } }, "kill"),
    h("button", { type: "button", onclick: () => openProcessPanel(pid) }, "refresh"));
  body.append(actions, messageForm(pid, status), h("section", {}, h("h3", {}, "Info"), infoTable(info)));
  // only a gen_server or a supervisor has a state to give (initial call module:init/1)
  const hasState = /:init\/1$/.test(info.initial_call || "");
  body.append(hasState
    ? await section("State", async () => h("pre", {}, show((await get(`${base}/state`)).data.state)))
    : h("section", {}, h("h3", {}, "State"), h("p", { class: "muted" }, "Not a gen_server or supervisor: it has no state to ask for.")));
  body.append(await section("Messages", async () => {
    const m = (await get(`${base}/messages`)).data;
    if (!m.count) return h("p", { class: "muted" }, "The mailbox is empty.");
    return [h("p", {}, `${m.count} waiting, oldest first:`), h("ol", {}, m.messages.map((x) => h("li", {}, h("code", {}, show(x)))))];
  }));
  body.append(await section("Stack trace", async () => h("pre", {}, (await get(`${base}/stacktrace`)).data.stacktrace || "—")));
}
