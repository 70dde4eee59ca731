// Every operation's error cases, driven by the live registry (GET
// /api/v1/operations), from outside the process: a path naming nothing is
// 404, a body that is not JSON is 400 with the position, one that is not an
// object or lacks a required field is 400 naming it; every error is in the
// envelope of API.md section 10. And on a bind beyond loopback a token is
// generated and required (401 without it), for HTTP and the WebSocket.
// Usage: node errors.test.mjs OTPLAB   (prints "N passed, N failed")
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startServer, req, test, assert, eq, isError, wsOpen, finish } from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const srv = await startServer([path.join(here, "stuck_server.lua")]);
const ops = (await req(srv, "GET", "/api/v1/operations")).json.data;

// A value of the type a body field wants.
const sample = (p) => ({ enum: p.values && p.values[0], string: "x", integer: 1, boolean: false, json: "x", pid: "counter_a" })[p.type];
// The body an operation would accept as to its shape: its required fields.
const bodyOf = (op) => {
  const b = {};
  for (const p of op.params) if (p.in === "body" && p.required) b[p.name] = sample(p);
  return b;
};
// Real values for the path parameters of every operation but the one under test.
const known = { pid: "counter_a", sup: "demo_sup", name: "no_sandbox", id: "counter_a", module: "greeter", node: "nonode@nohost", n: "8" };
const fill = (op, values) => op.path.replace(/\{([a-z]+)\}/g, (_, k) => encodeURIComponent(values[k] ?? known[k]));
const hasBody = (op) => op.params.some((p) => p.in === "body");

await test("every operation with a path parameter answers 404 in the envelope when it names nothing", async () => {
  let checked = 0;
  for (const op of ops) {
    const names = [...op.path.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]);
    for (const name of names) {
      if (op.method === "POST" && op.path === "/api/v1/code/{module}") continue;   // it creates the module
      const p = fill(op, { [name]: "no_such_thing_zz" });
      const r = await req(srv, op.method, p, hasBody(op) ? bodyOf(op) : undefined);
      assert(r.status === 404, `${op.method} ${p}: expected 404, got ${r.status} ${r.text.slice(0, 200)}`);
      isError(r, 404, r.json.error.code);
      assert(["noproc", "not_found"].includes(r.json.error.code), `${op.method} ${p}: code ${r.json.error.code}`);
      assert(r.json.error.message.includes("no_such_thing_zz"), `${op.method} ${p}: names what is missing: ${r.json.error.message}`);
      checked++;
    }
  }
  assert(checked >= 20, "checked " + checked);
});

await test("every operation with a body: not JSON is 400 with the position, not an object 400, a required field missing 400", async () => {
  let checked = 0;
  for (const op of ops.filter(hasBody)) {
    const p = fill(op, {});
    const bad = await req(srv, op.method, p, '{"a": ');
    isError(bad, 400, "badarg");
    assert(/character \d+/.test(bad.json.error.message), `${op.method} ${p}: names the position: ${bad.json.error.message}`);
    const arr = await req(srv, op.method, p, "[1, 2]");
    isError(arr, 400, "badarg");
    assert(/JSON object/.test(arr.json.error.message), `${op.method} ${p}: says an object: ${arr.json.error.message}`);
    for (const f of op.params.filter((x) => x.in === "body" && x.required)) {
      const b = bodyOf(op);
      delete b[f.name];
      const r = await req(srv, op.method, p, b);
      isError(r, 400, "badarg");
      assert(r.json.error.message.includes(`'${f.name}'`), `${op.method} ${p}: names '${f.name}': ${r.json.error.message}`);
    }
    checked++;
  }
  assert(checked >= 8, "checked " + checked);
});

await test("a field of the wrong type is 400 naming the field and what it must be", async () => {
  const r = await req(srv, "PUT", "/api/v1/supervisors/demo_sup/strategy", { strategy: "one_for_all", intensity: "many" });
  isError(r, 400, "badarg");
  assert(/'intensity'/.test(r.json.error.message) && /whole number/.test(r.json.error.message), r.json.error.message);
  const q = await req(srv, "GET", "/api/v1/processes?limit=lots");
  isError(q, 400, "badarg");
  assert(/'limit'/.test(q.json.error.message), q.json.error.message);
});

srv.child.kill("SIGTERM");
await srv.exited;

await test("a bind beyond loopback generates a token and requires it: 401 without, for HTTP and the WebSocket", async () => {
  const open = await startServer(["--bind", "0.0.0.0"]);
  try {
    const m = open.output().match(/token ([0-9a-f]{32})/);
    assert(m, "prints the generated token: " + open.output());
    isError(await req(open, "GET", "/api/v1/system/health"), 401, "unauthorized");
    isError(await req(open, "GET", "/api/v1/processes/counter_a", undefined, { Authorization: "Bearer " + "0".repeat(32) }), 401, "unauthorized");
    eq((await req(open, "GET", "/api/v1/system/health", undefined, { Authorization: "Bearer " + m[1] })).status, 200, "with the token");
    let refused = false;
    try { (await wsOpen(open, "")).ws.close(); } catch { refused = true; }
    assert(refused, "a WebSocket without the token is refused");
    (await wsOpen(open, "", { headers: { Authorization: "Bearer " + m[1] } })).ws.close();
  } finally {
    open.child.kill("SIGTERM");
    eq((await open.exited).code, 0, "exit code");
  }
});

finish();
