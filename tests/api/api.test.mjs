// Tests of `otplab serve` from outside the process: every operation and
// its error cases over HTTP, the OpenAPI document (validated, compared with
// the live routes), and the WebSocket event stream (a kill becoming a
// restart event; a slow client getting drops reported).
// Usage: node api.test.mjs OTPLAB   (prints "N passed, N failed")
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { otplab, notes, startServer, req, test, assert, eq, isError, wsOpen, waitFor, finish } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

const srv = await startServer([path.join(here, "stuck_server.lua")]);

await test("envelope: a success has success, data and timestamp", async () => {
  const r = await req(srv, "GET", "/api/v1/system/health");
  eq(r.status, 200, "status"); eq(r.json.success, true, "success");
  assert(Number.isInteger(r.json.timestamp), "timestamp"); eq(r.json.data.status, "ok", "health");
});

await test("processes: list with total, offset, limit, sort and q", async () => {
  const all = await req(srv, "GET", "/api/v1/processes?limit=1000");
  assert(all.json.total >= 14 && all.json.data.length === all.json.total, "every process listed");
  const page = await req(srv, "GET", "/api/v1/processes?offset=2&limit=3");
  eq(page.json.data.length, 3, "page size"); eq(page.json.total, all.json.total, "total independent of paging");
  eq(page.json.data[0].pid, all.json.data[2].pid, "offset");
  const bymem = await req(srv, "GET", "/api/v1/processes?sort=memory&limit=1000");
  for (let i = 1; i < bymem.json.data.length; i++) assert(bymem.json.data[i - 1].memory >= bymem.json.data[i].memory, "sorted by memory");
  const q = await req(srv, "GET", "/api/v1/processes?q=counter_");
  eq(q.json.total, 2, "q finds counter_a and counter_b");
  isError(await req(srv, "GET", "/api/v1/processes?limit=0"), 400, "badarg");
  isError(await req(srv, "GET", "/api/v1/processes?limit=abc"), 400, "badarg");
  isError(await req(srv, "GET", "/api/v1/processes?sort=colour"), 400, "badarg");
});

await test("processes: info by name and by pid; unknown pids are 404 (A12 names)", async () => {
  const byName = await req(srv, "GET", "/api/v1/processes/counter_a");
  eq(byName.json.data.name, "counter_a", "name"); eq(byName.json.data.registered_name, "counter_a", "registered_name");
  for (const k of ["status", "message_queue_len", "links", "monitors", "monitored_by", "trap_exit", "reductions", "memory", "initial_call", "current_location", "parent", "ancestors"])
    assert(k in byName.json.data, "process_info key " + k);
  const pid = byName.json.data.pid.slice(1, -1);
  const byPid = await req(srv, "GET", "/api/v1/processes/" + pid);
  eq(byPid.json.data.pid, byName.json.data.pid, "same process");
  isError(await req(srv, "GET", "/api/v1/processes/0.9999.0"), 404, "noproc");
  isError(await req(srv, "GET", "/api/v1/processes/no_such_name"), 404, "noproc");
  isError(await req(srv, "GET", "/api/v1/processes/9.9.9"), 404, "noproc");
});

await test("processes: state, messages, send/cast/call", async () => {
  const call = await req(srv, "POST", "/api/v1/processes/counter_b/message", { type: "call", message: "next" });
  eq(call.status, 200, "call status"); assert(Number.isInteger(call.json.data.reply), "a counter replies a number");
  const state = await req(srv, "GET", "/api/v1/processes/counter_b/state");
  assert(state.status === 200 && JSON.stringify(state.json.data.state).includes(String(call.json.data.reply + 1)), "state after the call: " + state.text);
  const cast = await req(srv, "POST", "/api/v1/processes/counter_b/message", { type: "cast", message: "anything" });
  eq(cast.json.data.sent, true, "cast");
  const send = await req(srv, "POST", "/api/v1/processes/sink/message", { type: "send", message: { hello: [1, 2] } });
  eq(send.json.data.sent, true, "send");
  const msgs = await req(srv, "GET", "/api/v1/processes/sink/messages");
  eq(msgs.status, 200, "messages status"); assert(Array.isArray(msgs.json.data.messages), "messages is an array");
  const st = await req(srv, "GET", "/api/v1/processes/counter_b/stacktrace");
  assert(st.status === 200 && typeof st.json.data.stacktrace === "string" && st.json.data.stacktrace.includes("gen_server"), "stacktrace: " + st.text);
  isError(await req(srv, "POST", "/api/v1/processes/counter_b/message", { type: "shout", message: 1 }), 400, "badarg");
  isError(await req(srv, "POST", "/api/v1/processes/counter_b/message", { message: 1 }), 400, "badarg");
  isError(await req(srv, "POST", "/api/v1/processes/counter_b/message"), 400, "badarg");
});

await test("the API's own processes cannot be killed or messaged through it", async () => {
  isError(await req(srv, "DELETE", "/api/v1/processes/api_server?reason=kill"), 409, "conflict");
  isError(await req(srv, "POST", "/api/v1/processes/api_keeper/message", { type: "send", message: ["signal", "SIGTERM"] }), 409, "conflict");
  eq((await req(srv, "GET", "/api/v1/system/health")).status, 200, "still serving");
});

await test("JSON parse errors are 400 with the position", async () => {
  const r = await req(srv, "POST", "/api/v1/processes/counter_a/message", '{"type": "call", ');
  isError(r, 400, "badarg"); assert(/character \d+/.test(r.json.error.message), "names the position: " + r.json.error.message);
});

await test("a call into a stuck gen_server answers 504 in bounded time", async () => {
  const t0 = performance.now();
  const r = await req(srv, "POST", "/api/v1/processes/stuck/message", { type: "call", message: "hello", timeout: 60000 });
  isError(r, 504, "timeout");
  notes.push(`504 after ${Math.round(performance.now() - t0)} ms`);
  isError(await req(srv, "POST", "/api/v1/processes/stuck/message", { type: "call", message: "hello", timeout: 100 }), 504, "timeout");
  eq((await req(srv, "GET", "/api/v1/system/health")).status, 200, "the server still answers");
});

await test("unknown routes 404, wrong methods 405, both in the envelope", async () => {
  isError(await req(srv, "GET", "/api/v1/nothing/here"), 404, "not_found");
  isError(await req(srv, "PUT", "/api/v1/processes"), 405, "badarg");
});

await test("bodies over the cap are 413", async () => {
  const r = await req(srv, "POST", "/api/v1/processes/sink/message", JSON.stringify({ type: "send", message: "x".repeat(2 << 20) }));
  isError(r, 413, "limit");
});

await test("supervisors: list, details with children and budget, analytics", async () => {
  const list = await req(srv, "GET", "/api/v1/supervisors");
  const names = list.json.data.map((s) => s.name).sort();
  eq(names.join(","), "demo_sup,pipeline,pool", "the demo tree's supervisors");
  const sup = await req(srv, "GET", "/api/v1/supervisors/demo_sup");
  eq(sup.json.data.strategy, "one_for_one", "strategy");
  eq(sup.json.data.children.map((c) => c.id).join(","), "pool,pipeline,printer,counter_b,counter_a", "children newest first (C4)");
  eq(sup.json.data.budget.intensity, 3, "budget");
  const an = await req(srv, "GET", "/api/v1/supervisors/pool/analytics");
  assert(Array.isArray(an.json.data.history) && "failure_rate" in an.json.data && an.json.data.budget.period === 5, "analytics shape");
  isError(await req(srv, "GET", "/api/v1/supervisors/counter_a"), 404, "noproc");
  isError(await req(srv, "GET", "/api/v1/supervisors/nobody/analytics"), 404, "noproc");
});

await test("supervisors: simulate-failure kill restarts the child (C6); history records it", async () => {
  const before = (await req(srv, "GET", "/api/v1/processes/counter_a")).json.data.pid;
  const r = await req(srv, "POST", "/api/v1/supervisors/demo_sup/simulate-failure", { child: "counter_a", kind: "kill" });
  eq(r.status, 200, "status"); eq(r.json.data.killed, before, "the child killed");
  let after;
  for (let i = 0; i < 200; i++) {
    const info = await req(srv, "GET", "/api/v1/processes/counter_a");
    if (info.status === 200 && info.json.data.pid !== before) { after = info.json.data.pid; break; }
  }
  assert(after, "restarted under a new pid");
  const an = await req(srv, "GET", "/api/v1/supervisors/demo_sup/analytics");
  const last = an.json.data.history.at(-1);
  eq(last.old_pid, before, "history old_pid"); eq(last.new_pid, after, "history new_pid"); eq(last.reason, "killed", "reason killed (A2)");
  isError(await req(srv, "POST", "/api/v1/supervisors/demo_sup/simulate-failure", { child: "nobody", kind: "kill" }), 404, "not_found");
  isError(await req(srv, "POST", "/api/v1/supervisors/demo_sup/simulate-failure", { child: "printer", kind: "melt" }), 400, "badarg");
});

await test("trees C7 C8 C9: one answer for every tree; siblings restarted with a failing child count their restart, the budget one", async () => {
  const c = await wsOpen(srv, "?kinds=sup_start_child,sup_restart,sup_terminate_child,sup_shutdown");
  await waitFor(c, (f) => f.type === "hello", 2000, "hello");
  const before = (await req(srv, "GET", "/api/v1/trees")).json;
  eq(before.data.map((s) => s.name).sort().join(","), "demo_sup,pipeline,pool", "every supervisor");
  assert(Number.isInteger(before.seq), "seq");
  const tree = (d, name) => d.find((s) => s.name === name);
  eq(tree(before.data, "pipeline").parent, tree(before.data, "demo_sup").pid, "pipeline's parent");
  eq(tree(before.data, "pipeline").children.map((k) => k.id).join(","), "producer,transformer,consumer", "start order");
  const pidOf = (d, sup, id) => tree(d, sup).children.find((k) => k.id === id).pid;
  const restartsOf = (d, sup, id) => tree(d, sup).children.find((k) => k.id === id).restarts;
  for (const [sup, kid] of [["pipeline", "transformer"], ["pool", "worker_2"]]) {
    const old = pidOf(before.data, sup, kid);
    await req(srv, "POST", `/api/v1/supervisors/${sup}/simulate-failure`, { child: kid, kind: "kill" });
    const frame = await waitFor(c, (f) => f.type === "tree" && f.change === "restarted" && f.event.old_pid === old, 10000, `${sup}'s restart`);
    const siblings = sup === "pipeline" ? ["consumer"] : ["worker_1", "worker_3"];
    eq(frame.group.map((g) => g.id).sort().join(","), siblings.join(","), `${sup}: the siblings restarted with ${kid}`);
    for (const g of frame.group) {
      // the group is what the supervisor's own trace events say: stopped with shutdown, started again
      const stop = c.frames.find((f) => f.type === "event" && f.event.kind === "sup_terminate_child" && f.event.id === g.id && f.event.child === g.old_pid);
      const start = c.frames.find((f) => f.type === "event" && f.event.kind === "sup_start_child" && f.event.id === g.id && f.event.child === g.new_pid);
      assert(stop && stop.event.reason === "shutdown" && start, `${g.id}: no terminate/start events for ${g.old_pid} -> ${g.new_pid}`);
    }
    eq(frame.budget.used, 1, `${sup}: one restart counted against the intensity (C9)`);
    assert(frame.budget.expires_in_ms >= 0 && frame.budget.expires_in_ms <= 6000, `expires_in_ms ${frame.budget.expires_in_ms}`);
  }
  const after = (await req(srv, "GET", "/api/v1/trees")).json;
  assert(after.seq > before.seq, "seq moved");
  for (const [sup, id, n] of [["pipeline", "producer", 0], ["pipeline", "transformer", 1], ["pipeline", "consumer", 1],
                              ["pool", "worker_1", 1], ["pool", "worker_2", 1], ["pool", "worker_3", 1]]) {
    eq(restartsOf(after.data, sup, id), n, `${sup}/${id} restarts`);
  }
  eq(pidOf(after.data, "pipeline", "producer"), pidOf(before.data, "pipeline", "producer"), "producer untouched (C8)");
  const b = await req(srv, "GET", "/api/v1/supervisors/pool/budget");
  eq(b.json.data.used, 1, "budget used"); eq(b.json.data.intensity, 3, "intensity"); eq(b.json.data.period, 5, "period");
  isError(await req(srv, "GET", "/api/v1/supervisors/counter_a/budget"), 404, "noproc");
  c.ws.close();
});

await test("supervisors: strategy, children add/restart/delete", async () => {
  const s = await req(srv, "PUT", "/api/v1/supervisors/pool/strategy", { strategy: "one_for_one" });
  eq(s.status, 200, "strategy status");
  eq((await req(srv, "GET", "/api/v1/supervisors/pool")).json.data.strategy, "one_for_one", "strategy changed");
  isError(await req(srv, "PUT", "/api/v1/supervisors/pool/strategy", { strategy: "all_for_none" }), 400, "badarg");
  const add = await req(srv, "POST", "/api/v1/supervisors/demo_sup/children", { id: "extra", module: "otp.demo.counter", args: [5, { name: "extra" }] });
  eq(add.status, 201, "add status " + add.text);
  eq((await req(srv, "POST", "/api/v1/processes/extra/message", { type: "call", message: "next" })).json.data.reply, 5, "the new child runs");
  isError(await req(srv, "POST", "/api/v1/supervisors/demo_sup/children", { id: "extra", module: "otp.demo.counter" }), 409, "conflict");
  isError(await req(srv, "POST", "/api/v1/supervisors/demo_sup/children", { id: "x", module: "no.such.module" }), 400, "badarg");
  const old = (await req(srv, "GET", "/api/v1/processes/printer")).json.data.pid;
  const rs = await req(srv, "POST", "/api/v1/supervisors/demo_sup/children/printer/restart");
  eq(rs.status, 200, "restart status " + rs.text); eq(rs.json.data.old_pid, old, "old pid"); assert(rs.json.data.pid !== old, "new pid");
  const del = await req(srv, "DELETE", "/api/v1/supervisors/demo_sup/children/printer");
  eq(del.status, 200, "delete status");
  assert(!(await req(srv, "GET", "/api/v1/supervisors/demo_sup")).json.data.children.some((c) => c.id === "printer"), "printer gone");
  isError(await req(srv, "DELETE", "/api/v1/supervisors/demo_sup/children/printer"), 404, "not_found");
});

await test("system: metrics, graph; lessons", async () => {
  const m = await req(srv, "GET", "/api/v1/system/metrics?window=50");
  assert(m.json.data.process_count > 10 && m.json.data.memory.total > 0 && m.json.data.reductions_per_s >= 0, "metrics");
  assert(m.json.data.server.requests > 10, "the server counts its requests");
  const g = await req(srv, "GET", "/api/v1/system/graph");
  assert(g.json.data.edges.some((e) => e.kind === "supervises") && g.json.data.edges.some((e) => e.kind === "link"), "graph edges");
  const l = await req(srv, "GET", "/api/v1/lessons");
  assert(l.json.total >= 1 && l.json.data[0].file.startsWith("lessons/"), "lessons listed");
});

await test("sandboxes: create, list, info, restart, destroy", async () => {
  const c = await req(srv, "POST", "/api/v1/sandboxes", { name: "lab", max_processes: 50, demo: true });
  eq(c.status, 201, "create " + c.text); eq(c.json.data.name, "lab", "name");
  assert(c.json.data.processes >= 10, "the demo tree runs inside: " + c.text);
  isError(await req(srv, "POST", "/api/v1/sandboxes", { name: "lab" }), 409, "conflict");
  isError(await req(srv, "POST", "/api/v1/sandboxes", { max_memory: 5 }), 400, "badarg");
  eq((await req(srv, "GET", "/api/v1/sandboxes")).json.total, 1, "listed");
  eq((await req(srv, "GET", "/api/v1/sandboxes/lab")).status, 200, "info");
  const r = await req(srv, "POST", "/api/v1/sandboxes/lab/restart");
  eq(r.status, 200, "restart " + r.text); eq(r.json.data.restarts, 1, "restarts counted");
  eq((await req(srv, "DELETE", "/api/v1/sandboxes/lab")).status, 200, "destroy");
  isError(await req(srv, "GET", "/api/v1/sandboxes/lab"), 404, "not_found");
});

await test("code: load, versions, rollback; a syntax error changes nothing", async () => {
  eq((await req(srv, "POST", "/api/v1/code/greeter", { source: "return {vsn = 1}" })).status, 201, "load v1");
  const v2 = await req(srv, "POST", "/api/v1/code/greeter", { source: "return {vsn = 2}" });
  eq(v2.json.data.vsn, 2, "v2");
  const bad = await req(srv, "POST", "/api/v1/code/greeter", { source: "return {" });
  isError(bad, 400, "badarg"); assert(/greeter:\d+/.test(bad.json.error.message), "names the line");
  const vs = await req(srv, "GET", "/api/v1/code/greeter/versions");
  eq(vs.json.data.map((v) => `${v.vsn}:${v.current}`).join(","), "1:false,2:true", "versions");
  eq((await req(srv, "POST", "/api/v1/code/greeter/rollback")).json.data.vsn, 1, "rolled back");
  isError(await req(srv, "POST", "/api/v1/code/never_loaded/rollback"), 404, "not_found");
});

await test("trace: start, events, stop on one process", async () => {
  eq((await req(srv, "POST", "/api/v1/processes/counter_a/trace", { kinds: ["receive", "send"] })).status, 201, "start");
  await req(srv, "POST", "/api/v1/processes/counter_a/message", { type: "call", message: "next" });
  const ev = await req(srv, "GET", "/api/v1/processes/counter_a/trace");
  assert(ev.json.data.events.some((e) => e.kind === "receive") && ev.json.data.events.some((e) => e.kind === "send"), "the call's receive and the reply's send: " + ev.text);
  eq((await req(srv, "DELETE", "/api/v1/processes/counter_a/trace")).status, 200, "stop");
  isError(await req(srv, "GET", "/api/v1/processes/counter_a/trace"), 404, "not_found");
  isError(await req(srv, "POST", "/api/v1/processes/counter_a/trace", { kinds: ["nonsense"] }), 400, "badarg");
});

await test("system: bottlenecks and anomalies from the live node", async () => {
  eq((await req(srv, "POST", "/api/v1/processes/chatty/message", { type: "send", message: ["burst", 20] })).status, 200, "burst");
  const b = await req(srv, "GET", "/api/v1/system/bottlenecks?n=3");
  eq(b.json.data.by_mailbox.length, 3, "three per list");
  assert(b.json.data.by_mailbox[0].message_queue_len >= b.json.data.by_mailbox[1].message_queue_len, "sorted");
  // the hoarder never takes its messages: messages sent during the window make its mailbox grow
  const pending = req(srv, "GET", "/api/v1/system/anomalies?window=1000");
  for (let i = 0; i < 30; i++) await req(srv, "POST", "/api/v1/processes/hoarder/message", { type: "send", message: i });
  const a = await pending;
  eq(a.status, 200, "anomalies");
  const grow = a.json.data.find((x) => x.kind === "growing_mailbox" && x.name === "hoarder");
  assert(grow && grow.to > grow.from, "the sink's growing mailbox is reported: " + a.text);
  isError(await req(srv, "GET", "/api/v1/system/anomalies?window=soon"), 400, "badarg");
});

await test("operations and OpenAPI 3.1: valid, and the same routes as the registry", async () => {
  const ops = (await req(srv, "GET", "/api/v1/operations")).json.data;
  for (const o of ops) for (const k of ["name", "method", "path", "params", "description", "destructive"]) assert(k in o, "operation field " + k);
  const doc = (await req(srv, "GET", "/api/v1/openapi.json")).json;
  const v = new Validator();
  const res = await v.validate(doc);
  assert(res.valid, "OpenAPI validates: " + JSON.stringify(res.errors));
  eq(v.version, "3.1", "OpenAPI version");
  const fromDoc = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => m.toUpperCase() + " " + p)).sort();
  const fromOps = ops.map((o) => o.method + " " + o.path).sort();
  eq(fromDoc.join("\n"), fromOps.join("\n"), "no route missing, none extra");
  // every route answers something other than 404-not_found
  for (const o of ops) {
    const p = o.path.replace("{pid}", "counter_b").replace("{sup}", "demo_sup").replace("{id}", "counter_b")
      .replace("{name}", "nosuch").replace("{module}", "greeter");
    if (o.destructive) continue;
    const r = await req(srv, o.method, p);
    assert(r.status !== 404 || !r.json.error.message.startsWith("no such resource"), "route is live: " + o.method + " " + p);
  }
});

await test("values that cannot be JSON become strings", async () => {
  const r = await req(srv, "POST", "/api/v1/processes/sink/message", { type: "send", message: [1, { a: null }] });
  eq(r.status, 200, "JSON null is sent as nil");
  const st = await req(srv, "GET", "/api/v1/processes/odd/state");
  eq(st.status, 200, "state status " + st.text);
  const v = st.json.data.state;
  assert(typeof v.ref === "string" && v.ref.startsWith("#Ref"), "a ref is a string: " + st.text);
  eq(v.bytes, "\\xFF\\xFE", "invalid UTF-8 bytes as \\xNN text");
  const fn = await req(srv, "GET", "/api/v1/processes/odd_fn/state");
  isError(fn, 409, "conflict"); assert(fn.json.error.message.includes("fn"), "names the function's path");
  assert(typeof v.self === "string" && v.self.startsWith("<0."), "a pid is a string");
  eq(v.true, 1, "a boolean key becomes a string key"); eq(typeof v.nan, "string", "NaN is a string");
  eq(v.control, 'a\u0000b\n"c"', "control characters and quotes escaped");
  eq(v.loop, "<cycle>", "a table inside itself is <cycle>");
  let deep = v, levels = 0;
  while (typeof deep.next === "object") { deep = deep.next; levels++; }
  eq(deep.next, "<deep>", "nesting beyond 32 is <deep>"); eq(levels, 30, "32 levels of the answer kept (the state is at level 2)");
  eq(JSON.stringify(v.empty), "{}", "an empty table is an object");
  eq(JSON.stringify(v.sparse), '{"1":"a","3":"c"}', "a table with holes is an object with string keys");
});

await test("WebSocket: a kill becomes a restart event (C6), in order", async () => {
  const c = await wsOpen(srv, "?kinds=exit,sup_restart,sup_start_child");
  await waitFor(c, (f) => f.type === "hello", 2000, "hello");
  const victim = (await req(srv, "GET", "/api/v1/processes/counter_b")).json.data.pid;
  const t0 = performance.now();
  await req(srv, "DELETE", "/api/v1/processes/counter_b?reason=kill");
  const exit = await waitFor(c, (f) => f.type === "event" && f.event.kind === "exit" && f.event.pid === victim, 5000, "exit event");
  const restart = await waitFor(c, (f) => f.type === "event" && f.event.kind === "sup_restart", 5000, "restart event");
  const tree = await waitFor(c, (f) => f.type === "tree" && f.change === "restarted", 5000, "tree frame");
  assert(c.frames.indexOf(exit) < c.frames.indexOf(restart) && c.frames.indexOf(restart) < c.frames.indexOf(tree), "exit, then restart, then tree change");
  notes.push(`kill -> restart event ${(restart.at - t0).toFixed(1)} ms after the DELETE was sent`);
  await waitFor(c, (f) => f.type === "metrics", 3000, "a metrics frame");
  c.ws.close();
});

await test("WebSocket: a slow client gets its drops reported, the node goes on", async () => {
  const c = await wsOpen(srv, "?kinds=send");
  await waitFor(c, (f) => f.type === "hello", 2000, "hello");
  c.ws._socket.pause();
  for (let i = 0; i < 4; i++)
    eq((await req(srv, "POST", "/api/v1/processes/chatty/message", { type: "send", message: ["burst", 50000] })).status, 200, "burst");
  const health = await req(srv, "GET", "/api/v1/system/health");
  eq(health.status, 200, "node answers while the client is stalled");
  c.ws._socket.resume();
  const drop = await waitFor(c, (f) => f.type === "dropped", 20000, "a dropped report");
  assert(drop.count > 0 && drop.total >= drop.count, "counts");
  notes.push(`slow client: ${drop.total} frames dropped at the first report`);
  c.ws.close();
});

await test("WebSocket: other paths and foreign Origins are refused", async () => {
  let refused = false;
  try { await wsOpen(srv, "", { origin: "http://evil.example" }); } catch { refused = true; }
  assert(refused, "foreign origin refused");
  const ok = await wsOpen(srv, "", { origin: `http://127.0.0.1:${srv.port}` });
  ok.ws.close();
});

// GET with a Host header of our choosing (fetch does not let one set it)
function getWithHost(srv, p, host) {
  return new Promise((resolve, reject) => {
    const r = http.get({ host: "127.0.0.1", port: srv.port, path: p, headers: { Host: host } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => { let json; try { json = JSON.parse(text); } catch { /* not JSON */ } resolve({ status: res.statusCode, json, text }); });
    });
    r.on("error", reject);
  });
}

await test("on loopback, requests addressed to another host are refused (DNS rebinding)", async () => {
  isError(await getWithHost(srv, "/api/v1/system/health", `evil.example:${srv.port}`), 403, "forbidden");
  isError(await getWithHost(srv, "/api/v1/system/health", "127.0.0.1.evil.example"), 403, "forbidden");
  for (const host of [`localhost:${srv.port}`, `127.0.0.1:${srv.port}`, `[::1]:${srv.port}`, "LOCALHOST"])
    eq((await getWithHost(srv, "/api/v1/system/health", host)).status, 200, "Host " + host);
  let refused = false;
  try { await wsOpen(srv, "", { headers: { Host: `evil.example:${srv.port}` }, origin: `http://evil.example:${srv.port}` }); } catch { refused = true; }
  assert(refused, "a rebound page's WebSocket (its Origin matching its Host) is refused");
});

await test("WebSocket: Origin must be this server exactly", async () => {
  for (const origin of [`http://127.0.0.1:${srv.port}.evil.example`, "null", `http://127.0.0.1:${srv.port}/`, `ftp://127.0.0.1:${srv.port}`]) {
    let refused = false;
    try { (await wsOpen(srv, "", { origin })).ws.close(); } catch { refused = true; }
    assert(refused, "Origin " + origin + " refused");
  }
  (await wsOpen(srv, "", { origin: `http://localhost:${srv.port}`, headers: { Host: `localhost:${srv.port}` } })).ws.close();
});

await test("WebSocket: a query it cannot follow gets one error frame, then the connection closes", async () => {
  for (const [query, code] of [["?kinds=nonsense", "badarg"], ["?pids=no_such_process", "noproc"]]) {
    const c = await wsOpen(srv, query);
    const closed = new Promise((resolve) => c.ws.on("close", resolve));
    const f = await waitFor(c, (x) => x.type === "error", 5000, "an error frame for " + query);
    eq(f.error.code, code, "code for " + query); assert(f.error.message.length > 10, "says why");
    await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error("not closed: " + query)), 5000))]);
  }
});

await test("a port already in use is a clear error, exit 1", async () => {
  const r = spawnSync(otplab, ["serve", "--port", String(srv.port)], { encoding: "utf8", timeout: 20000 });
  eq(r.status, 1, "exit status"); assert(/cannot listen on 127\.0\.0\.1:\d+ \(is the port in use/.test(r.stderr), "says so: " + r.stderr);
});

srv.child.kill("SIGTERM");
await test("SIGTERM closes every connection and exits 0", async () => {
  const r = await srv.exited;
  eq(r.code, 0, "exit code (output: " + srv.output() + ")");
  assert(srv.output().includes("stopped"), "says it stopped");
});

const tok = await startServer(["--token", "s3cret"]);
await test("a token is required when given: 401 without it", async () => {
  isError(await req(tok, "GET", "/api/v1/system/health"), 401, "unauthorized");
  isError(await req(tok, "GET", "/api/v1/system/health", undefined, { Authorization: "Bearer wrong" }), 401, "unauthorized");
  eq((await req(tok, "GET", "/api/v1/system/health", undefined, { Authorization: "Bearer s3cret" })).status, 200, "with the token");
  let refused = false;
  try { await wsOpen(tok, ""); } catch { refused = true; }
  assert(refused, "WebSocket without token refused");
  const c = await wsOpen(tok, "", { headers: { Authorization: "Bearer s3cret" } });
  c.ws.close();
});
tok.child.kill("SIGINT");
await tok.exited;

finish();
