// /api/v1/lessons from outside: a lesson runs on the node, straight through
// or waiting at its pauses; a bad number, a second run and a lesson that
// would block the node are refused with a clear error; Stop kills what the
// lesson started; the operations are in the registry and the OpenAPI file.
// Usage: node lessons.test.mjs OTPLAB   (prints "N passed, N failed")
import { startServer, req, test, assert, eq, isError, poll, finish } from "./lib.mjs";

const srv = await startServer([]);
const run = () => req(srv, "GET", "/api/v1/lessons/run");

await test("lessons: before any run the run is state none (not an error)", async () => {
  const r = await run();
  eq(r.status, 200, "status"); eq(r.json.data.state, "none", "state");
});

await test("lessons: a bad number is 404 naming the range, a non-number 404 too (a path that names nothing)", async () => {
  const r = await req(srv, "POST", "/api/v1/lessons/99/run", {});
  isError(r, 404, "not_found");
  assert(r.json.error.message.includes("numbered 1 to"), r.text);
  isError(await req(srv, "POST", "/api/v1/lessons/eight/run", {}), 404, "not_found");
  isError(await req(srv, "POST", "/api/v1/lessons/8/run", { timeout: 1 }), 400, "badarg");
});

await test("lessons: a lesson that starts programs of its own is refused (it would block the node)", async () => {
  const list = (await req(srv, "GET", "/api/v1/lessons")).json.data;
  const blocked = list.filter((l) => !l.runs_on_dashboard).map((l) => l.number);
  assert(blocked.includes(25) && !blocked.includes(8), "lesson 25 only: " + blocked);
  const r = await req(srv, "POST", "/api/v1/lessons/25/run", {});
  isError(r, 409, "conflict"); assert(r.json.error.message.includes("otplab lesson 25"), r.text);
});

await test("lessons A12: a lesson that registers a name the node's own tree has (the demo's consumer) is refused, naming it", async () => {
  const r = await req(srv, "POST", "/api/v1/lessons/19/run", {});
  isError(r, 409, "conflict"); assert(r.json.error.message.includes("consumer"), r.text);
  eq((await run()).json.data.state, "none", "nothing ran");
});

await test("lessons C6: lesson 8 straight through (pauses: false) finishes, its narration read by offset", async () => {
  const s = await req(srv, "POST", "/api/v1/lessons/8/run", { pauses: false });
  eq(s.status, 201, "created: " + s.text); eq(s.json.data.number, 8, "number");
  let after = 0, text = "";
  const done = await poll(async () => {
    const r = await req(srv, "GET", `/api/v1/lessons/run?after=${after}&wait_ms=1000`);
    for (const e of r.json.data.entries) { assert(e.seq > after, "entries after the offset only"); text += e.text + "\n"; }
    after = r.json.data.next;
    return r;
  }, (r) => r.json.data.state !== "running", 30000, "the end of lesson 8");
  eq(done.json.data.state, "finished", "state: " + text);
  assert(text.includes("only b is restarted") && text.includes("reference solution"), "narration: " + text);
});

await test("lessons: at a pause, continue goes on; check outside an exercise, a second run: 409; stop kills its processes", async () => {
  eq((await req(srv, "POST", "/api/v1/lessons/8/run", {})).status, 201, "started");
  const p = await poll(run, (r) => r.json.data.state === "paused", 20000, "the first pause");
  eq(p.json.data.supervisors.length, 1, "the lesson's supervisor");
  eq(p.json.data.pause.vars.sup, p.json.data.supervisors[0], "the pause shows its values");
  isError(await req(srv, "POST", "/api/v1/lessons/run/check", {}), 409, "conflict");
  isError(await req(srv, "POST", "/api/v1/lessons/11/run", {}), 409, "conflict");
  const before = p.json.data.next;
  eq((await req(srv, "POST", "/api/v1/lessons/run/continue", {})).status, 200, "continue");
  await poll(run, (r) => r.json.data.state === "paused" && r.json.data.next > before, 20000, "the second pause");
  const sup = p.json.data.supervisors[0];
  const stopped = await req(srv, "DELETE", "/api/v1/lessons/run");
  eq(stopped.json.data.state, "stopped", "stopped"); eq(stopped.json.data.processes_cleaned, true, "cleaned");
  isError(await req(srv, "GET", `/api/v1/processes/${sup.replace(/[<>]/g, "")}`), 404, "noproc");
  isError(await req(srv, "POST", "/api/v1/lessons/run/continue", {}), 409, "conflict");
});

await test("lessons: Stop destroys the sandboxes the lesson made (lesson 24's lab)", async () => {
  eq((await req(srv, "POST", "/api/v1/lessons/24/run", {})).status, 201, "started");
  await poll(run, (r) => r.json.data.state === "paused", 30000, "lesson 24's first pause");
  const names = (await req(srv, "GET", "/api/v1/sandboxes")).json.data.map((b) => b.name);
  assert(names.includes("lab"), "the lesson made its sandbox: " + names);
  const stopped = (await req(srv, "DELETE", "/api/v1/lessons/run")).json.data;
  assert(stopped.sandboxes_destroyed.includes("lab"), "said destroyed: " + JSON.stringify(stopped.sandboxes_destroyed));
  isError(await req(srv, "GET", "/api/v1/sandboxes/lab"), 404, "not_found");
});

await test("lessons: a lesson still running at its timeout is stopped, and what it started killed", async () => {
  eq((await req(srv, "POST", "/api/v1/lessons/8/run", { timeout: 10 })).status, 201, "started");
  const p = await poll(run, (r) => r.json.data.state === "paused" && r.json.data.supervisors.length === 1, 20000, "the first pause");
  const sup = p.json.data.supervisors[0];
  const t = await poll(() => req(srv, "GET", `/api/v1/lessons/run?after=${p.json.data.next}&wait_ms=1000`),
    (r) => r.json.data.state !== "paused", 40000, "the timeout");
  eq(t.json.data.state, "timeout", "state"); eq(t.json.data.processes_cleaned, true, "cleaned");
  assert(t.json.data.entries.some((e) => e.kind === "end" && e.text.includes("after 10 s")), "the narration says why");
  isError(await req(srv, "GET", `/api/v1/processes/${sup.replace(/[<>]/g, "")}`), 404, "noproc");
});

await test("lessons: the run operations are in the registry and the OpenAPI document", async () => {
  const ops = (await req(srv, "GET", "/api/v1/operations")).json.data.map((o) => o.method + " " + o.path);
  const doc = (await req(srv, "GET", "/api/v1/openapi.json")).json;
  for (const [m, p] of [["POST", "/api/v1/lessons/{n}/run"], ["GET", "/api/v1/lessons/run"], ["POST", "/api/v1/lessons/run/continue"],
                        ["POST", "/api/v1/lessons/run/check"], ["DELETE", "/api/v1/lessons/run"]]) {
    assert(ops.includes(m + " " + p), "operation " + m + " " + p);
    assert(doc.paths[p] && doc.paths[p][m.toLowerCase()], "OpenAPI " + m + " " + p);
  }
});

srv.child.kill("SIGTERM");
await test("lessons: the server stops cleanly", async () => eq((await srv.exited).code, 0, "exit code: " + srv.output()));
finish();
