// GET /api/v1/processes over 100,000 processes (issue 15: the processes
// page is fast with 100,000): every sort answers a full page, in order,
// with the right total; a sort is never one call too long to preempt.
// Usage: node many_processes.test.mjs OTPLAB   (prints "N passed, N failed")
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, req, test, assert, eq, poll, finish } from "./lib.mjs";

const N = 100000;
const dir = mkdtempSync(join(tmpdir(), "otplab-many-"));
const file = join(dir, "many.lua");
writeFileSync(file, `require("otp.demo").start()
for i = 1, ${N} do otp.spawn(function() otp.receive() end) end
otp.register("spawned_all", otp.self())
otp.receive()
`);
const srv = await startServer([file]);
await poll(() => req(srv, "GET", "/api/v1/processes/spawned_all"), (r) => r.status === 200, 60000, "the file spawned them all");

const sorted = (rows, key) => rows.every((r, i) => i === 0 || (rows[i - 1][key] ?? -1) >= (r[key] ?? -1));

for (const key of ["memory", "reductions", "message_queue_len"]) {
  await test(`sort=${key} over ${N} processes: a full page, largest first, the total`, async () => {
    const r = await req(srv, "GET", `/api/v1/processes?sort=${key}&limit=100&offset=50000`);
    eq(r.status, 200, `status (${r.text.slice(0, 200)})`);
    eq(r.json.data.length, 100, "a full page");
    assert(r.json.total > N, "total " + r.json.total);
    assert(sorted(r.json.data, key), `sorted by ${key}`);
    const top = await req(srv, "GET", `/api/v1/processes?sort=${key}&limit=5`);
    assert(sorted(top.json.data, key), "the first page sorted");
    assert((top.json.data[4][key] ?? -1) >= (r.json.data[0][key] ?? -1), "the first page before the middle one");
  });
}

await test(`sort=name over ${N} processes: names first, in order`, async () => {
  const r = await req(srv, "GET", "/api/v1/processes?sort=name&limit=20");
  eq(r.status, 200, "status");
  const names = r.json.data.map((o) => o.name).filter((n) => n);
  assert(names.length >= 10, "named processes first: " + JSON.stringify(names));
  assert(names.every((n, i) => i === 0 || names[i - 1] <= n), "in order: " + JSON.stringify(names));
});

srv.child.kill("SIGTERM");
await srv.exited;
rmSync(dir, { recursive: true, force: true });
finish();
