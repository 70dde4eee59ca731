// POST /api/v1/scenarios/run from outside: a scenario runs isolated in a
// child otplab (as `otplab test` runs it), never in the server's node; the
// answer says passed or failed, with the failure report and the duration;
// paths stay inside the scenarios folder; a scenario that runs too long is
// stopped (504) and the server runs at most four at once (503 beyond).
// The server runs in a fresh folder whose scenarios/ this test writes.
// Usage: node scenarios.test.mjs OTPLAB   (prints "N passed, N failed")
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { notes, startServer, req, test, assert, eq, isError, finish } from "./lib.mjs";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "otplab-scenarios-"));
fs.mkdirSync(path.join(dir, "scenarios", "nested"), { recursive: true });
const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);
write("scenarios/passes.lua", 'otp.expect.eq(1 + 1, 2)\nprint("all held")\n');
write("scenarios/fails.lua", "otp.expect.eq(1 + 1, 3)\n");
write("scenarios/loops.lua", "while true do end\n");
write("scenarios/nested/deep.lua", "print('deep')\n");
// a scenario that changes its node: none of it may show in the server's
write("scenarios/intrudes.lua", 'otp.register("intruder", otp.spawn(otp.receive))\nos.exit(7)\n');
write("scenarios/_helper.lua", "return {}\n");
// a scenario that leaves a process outside its group holding its output pipe
write("scenarios/leaves_a_daemon.lua", `os.execute("setsid sh -c 'echo $$ > ${path.join(dir, "daemon.pid")}; exec sleep 600' &")\nprint("left it")\n`);
write("outside.lua", 'print("must not run")\n');
fs.symlinkSync("../outside.lua", path.join(dir, "scenarios", "escapes.lua"));

const srv = await startServer([], { cwd: dir });
const run = (body) => req(srv, "POST", "/api/v1/scenarios/run", body);

await test("scenarios: the list is every *.lua under ./scenarios, helpers and escaping symlinks left out", async () => {
  const r = await req(srv, "GET", "/api/v1/scenarios");
  eq(r.status, 200, "status");
  eq(r.json.data.map((s) => s.name).join(","), "fails,intrudes,leaves_a_daemon,loops,nested/deep,passes", "names");
  eq(r.json.data[0].file, "scenarios/fails.lua", "file");
  eq(r.json.total, 6, "total");
});

await test("scenarios: a passing scenario answers passed, its output and duration", async () => {
  const r = await run({ name: "passes" });
  eq(r.status, 200, "status " + r.text);
  eq(r.json.data.passed, true, "passed"); eq(r.json.data.status, "passed", "status word");
  eq(r.json.data.output, "all held\n", "output");
  assert(Number.isInteger(r.json.data.duration_ms) && r.json.data.duration_ms >= 0, "duration");
  assert(!("report" in r.json.data), "no failure report");
  eq((await run({ file: "scenarios/nested/deep.lua" })).json.data.passed, true, "by file, in a subfolder");
});

await test("scenarios: a failing scenario answers failed with the failure report", async () => {
  const r = await run({ file: "scenarios/fails.lua" });
  eq(r.status, 200, "status");
  eq(r.json.data.passed, false, "failed"); eq(r.json.data.exit_status, 1, "exit status 1, as otplab run");
  assert(/expected 3, got 2/.test(r.json.data.report), "the report says what failed: " + r.json.data.report);
});

await test("scenarios: a scenario runs in a child otplab, never in the server's node", async () => {
  const r = await run({ name: "intrudes" });
  eq(r.json.data.passed, false, "os.exit(7) fails it"); eq(r.json.data.exit_status, 7, "its exit status");
  isError(await req(srv, "GET", "/api/v1/processes/intruder"), 404, "noproc");
  eq((await req(srv, "GET", "/api/v1/system/health")).status, 200, "the server goes on");
});

await test("scenarios: a process the scenario left behind outside its group does not hold the answer", async () => {
  const r = await fetch(srv.base + "/api/v1/scenarios/run", { method: "POST", body: JSON.stringify({ name: "leaves_a_daemon" }),
    signal: AbortSignal.timeout(60000) });
  const j = await r.json();
  eq(r.status, 200, "status"); eq(j.data.passed, true, "passed"); assert(j.data.output.includes("left it"), "its output");
  try { process.kill(Number(fs.readFileSync(path.join(dir, "daemon.pid"), "utf8")), "SIGKILL"); } catch { /* gone */ }
});

await test("scenarios: unknown scenarios are 404, bad requests 400", async () => {
  isError(await run({ name: "nothing_like_it" }), 404, "not_found");
  isError(await run({}), 400, "badarg");
  isError(await run({ name: "passes", file: "scenarios/passes.lua" }), 400, "badarg");
  isError(await run({ name: "passes", timeout: 0 }), 400, "badarg");
  isError(await run({ file: "scenarios/notes.txt" }), 400, "badarg");
  isError(await run('{"name": '), 400, "badarg");
});

await test("scenarios: paths cannot leave the scenarios folder (.., absolute, symlink)", async () => {
  for (const file of ["../outside.lua", "scenarios/../outside.lua", "nested/../../outside.lua", path.join(dir, "outside.lua"), "scenarios/escapes.lua"]) {
    const r = await run({ file });
    isError(r, 400, "badarg");
    assert(!r.text.includes("must not run"), "nothing ran for " + file);
  }
  isError(await run({ name: "../outside" }), 400, "badarg");
});

await test("scenarios: a scenario still running at its timeout is stopped (504); five at once: the fifth is 503", async () => {
  const t0 = performance.now();
  const loops = [1, 2, 3, 4].map(() => run({ name: "loops", timeout: 8 }));
  // the four children are running when the server's own counter says so
  let running = 0;
  for (let i = 0; i < 500 && running < 4; i++)
    running = (await req(srv, "GET", "/api/v1/system/metrics?window=10")).json.data.server.children;
  eq(running, 4, "four children running");
  isError(await run({ name: "passes" }), 503, "busy");
  for (const r of await Promise.all(loops)) isError(r, 504, "timeout");
  notes.push(`four 8 s scenarios stopped after ${Math.round(performance.now() - t0)} ms`);
  eq((await req(srv, "GET", "/api/v1/system/metrics?window=10")).json.data.server.children, 0, "no child left");
  eq((await run({ name: "passes" })).json.data.passed, true, "runs again afterwards");
});

await test("operations and OpenAPI include the scenario operations", async () => {
  const ops = (await req(srv, "GET", "/api/v1/operations")).json.data;
  const run = ops.find((o) => o.name === "run_scenario");
  assert(run && run.method === "POST" && run.path === "/api/v1/scenarios/run" && run.destructive === true, "run_scenario listed");
  assert(ops.some((o) => o.name === "list_scenarios"), "list_scenarios listed");
  const doc = (await req(srv, "GET", "/api/v1/openapi.json")).json;
  assert(doc.paths["/api/v1/scenarios/run"].post.requestBody, "the OpenAPI document has the body");
});

srv.child.kill("SIGTERM");
await test("scenarios: the server stops cleanly", async () => eq((await srv.exited).code, 0, "exit code: " + srv.output()));
fs.rmSync(dir, { recursive: true, force: true });
finish();
