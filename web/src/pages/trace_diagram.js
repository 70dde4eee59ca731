// Trace events as a Mermaid sequence diagram, read the way otplab's own
// session:sequence_diagram() reads them (lua/otp/trace_output.lua): calls,
// casts and replies by their shape, exits and DOWNs as notes, spawns as
// async arrows, restarts as notes over the supervisor.
const isRef = (v) => typeof v === "string" && v.startsWith("#Ref<");

function short(v, depth = 0) {
  if (typeof v === "string") return v.length > 30 ? `${v.slice(0, 27)}...` : v;
  if (v === null || typeof v !== "object") return String(v);
  if (depth >= 2) return "{...}";
  if (!Array.isArray(v)) return "{...}";
  const parts = v.slice(0, 3).map((x) => short(x, depth + 1));
  if (v.length > 3) parts.push("...");
  return `{${parts.join(", ")}}`;
}

// Mermaid ends a message at ';' and reads '#' as an entity.
const clean = (s) => String(s).replace(/[;#\r\n]/g, " ");

export function diagram(events, { maxLines = 150 } = {}) {
  const ids = new Map(), titles = new Map();
  const id = (ev, f) => {
    const pid = ev[f];
    const title = ev[`${f}_label`] || ev[`${f}_name`] || pid;
    if (!ids.has(pid)) {
      ids.set(pid, `P${ids.size + 1}`);
      titles.set(pid, title);
    } else if (titles.get(pid) === pid && title !== pid) titles.set(pid, title);
    return ids.get(pid);
  };
  const lines = [];
  for (const ev of events) {
    const k = ev.kind;
    if ((k === "send" || k === "send_to_dead") && ev.pid && ev.to) {
      const a = id(ev, "pid"), b = id(ev, "to");
      const msg = ev.msg;
      let arrow = "->>", text;
      if (Array.isArray(msg) && msg[0] === "$gen_call") text = `call: ${short(msg[2])}`;
      else if (Array.isArray(msg) && msg[0] === "$gen_cast") text = `cast: ${short(msg[1])}`;
      else if (Array.isArray(msg) && msg.length <= 2 && isRef(msg[0])) { text = `reply: ${short(msg[1])}`; arrow = "-->>"; }
      else if (Array.isArray(msg) && msg[0] === "$system") text = `[internal] sys: ${short(msg[2])}`;
      else text = short(msg);
      if (k === "send_to_dead") { text += " (to a dead process)"; arrow = "-x"; }
      lines.push(`${a}${arrow}${b}: ${clean(text)}`);
    } else if (k === "exit" && ev.pid) {
      lines.push(`Note over ${id(ev, "pid")}: exit ${clean(short(ev.reason))}`);
    } else if (k === "down" && ev.pid) {
      lines.push(`Note over ${id(ev, "pid")}: DOWN ${clean(short(ev.reason))}`);
    } else if (k === "spawn" && ev.pid && ev.parent) {
      lines.push(`${id(ev, "parent")}-)${id(ev, "pid")}: spawn`);
    } else if (k === "sup_restart" && ev.pid) {
      lines.push(`Note over ${id(ev, "pid")}: restart ${clean(short(ev.id))}`);
    }
  }
  const out = ["sequenceDiagram"];
  for (const [pid, pid_id] of ids) out.push(`    participant ${pid_id} as ${clean(titles.get(pid))}`);
  const shown = lines.length > maxLines ? lines.slice(-maxLines) : lines;
  if (shown.length < lines.length && ids.size) out.push(`    Note over P1: ${lines.length - shown.length} earlier lines left out`);
  for (const l of shown) out.push(`    ${l}`);
  return { text: out.join("\n") + "\n", lines: lines.length };
}
