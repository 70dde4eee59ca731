// The server's limits from outside the process: headers and bodies over
// their caps (413 in the envelope, or, beyond libwebsockets' own room, a
// closed connection), and its share of a busy node (--api-share): requests
// beyond the share wait and are answered, past the bound on waiting ones
// they get 503 with Retry-After, and the node's own work goes on.
// Usage: node limits.test.mjs OTPLAB   (prints "N passed, N failed")
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { otplab, notes, startServer, req, test, assert, eq, isError, finish } from "./lib.mjs";
import { connect, readAnswer, rawRequest } from "./raw.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const KiB = 1024;

const srv = await startServer([path.join(here, "stuck_server.lua")]);
const health = async () => eq((await req(srv, "GET", "/api/v1/system/health")).status, 200, "the server still answers");

await test("headers over the cap (8 KiB) answer 413 in the envelope: a long query, cookies, Authorization", async () => {
  const big = "x".repeat(9 * KiB);
  for (const [what, p, headers] of [
    ["query", "/api/v1/processes?q=" + big, []],
    ["cookie", "/api/v1/system/health", ["Cookie: a=" + big]],
    ["authorization", "/api/v1/system/health", ["Authorization: Bearer " + big]],
    ["several headers", "/api/v1/system/health", ["Cookie: a=" + big.slice(0, 5 * KiB), "User-Agent: " + big.slice(0, 5 * KiB)]],
  ]) {
    const r = await rawRequest(srv.port, "GET", p, headers);
    assert(!r.closed, what + ": answered, not closed");
    isError(r, 413, "limit");
    assert(/headers/.test(r.json.error.message) && /8 KiB/.test(r.json.error.message), what + ": says which cap: " + r.json.error.message);
  }
  const under = await rawRequest(srv.port, "GET", "/api/v1/system/health", ["Cookie: a=" + "x".repeat(7 * KiB)]);
  eq(under.status, 200, "7 KiB of headers pass");
  await health();
});

await test("headers beyond libwebsockets' room (32 KiB) close the connection without an answer; the node goes on", async () => {
  for (const headers of [["Cookie: a=" + "x".repeat(40 * KiB)], ["X-Unknown: " + "x".repeat(40 * KiB)]]) {
    const r = await rawRequest(srv.port, "GET", "/api/v1/system/health", headers);
    assert(r.closed, "closed: " + JSON.stringify(r).slice(0, 200));
    eq(r.bytes, 0, "nothing was answered");
  }
  await health();
});

await test("a header lws does not know counts only against its room (lws 4.1 cannot list them)", async () => {
  const r = await rawRequest(srv.port, "GET", "/api/v1/system/health", ["X-Unknown: " + "x".repeat(9 * KiB)]);
  eq(r.status, 200, "9 KiB of an unknown header pass");
});

await test("bodies over the cap (1 MiB) answer 413; at the cap they are read", async () => {
  const message = (n) => JSON.stringify({ type: "send", message: "x".repeat(n) });
  const over = message(1 << 20);
  isError(await rawRequest(srv.port, "POST", "/api/v1/processes/sink/message", ["Content-Type: application/json"], over), 413, "limit");
  const at = message((1 << 20) - message(0).length);
  eq(Buffer.byteLength(at), 1 << 20, "the body is exactly 1 MiB");
  eq((await rawRequest(srv.port, "POST", "/api/v1/processes/sink/message", [], at)).status, 200, "1 MiB is accepted");
  // a body announced far over the cap is refused before it is sent
  const s = await connect(srv.port);
  const answer = readAnswer(s);
  s.write("POST /api/v1/processes/sink/message HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000\r\n\r\n{");
  const r = await answer;
  s.destroy();
  isError(r, 413, "limit");
  assert(/body/.test(r.json.error.message) && /1 MiB/.test(r.json.error.message), "says which cap: " + r.json.error.message);
  await health();
});

srv.child.kill("SIGTERM");
await srv.exited;

await test("--api-share must be a fraction above 0 and at most 1", async () => {
  for (const bad of ["0", "1.5", "-0.1", "half", ""]) {
    const r = spawnSync(otplab, ["serve", "--port", "1", "--api-share", bad], { encoding: "utf8", timeout: 20000 });
    eq(r.status, 2, "exit status for '" + bad + "'");
    assert(/--api-share needs a fraction/.test(r.stderr), "says what it needs: " + r.stderr);
  }
});

// A node whose own process never stops computing, and a server held to 2%
// of it: requests sent together mostly wait for their share.
const busy = await startServer(["--api-share", "0.02", path.join(here, "busy_node.lua")]);
const metrics = async () => (await req(busy, "GET", "/api/v1/system/metrics")).json.data.server;

// n connections, opened first, then one GET each, all written at once;
// resolves with the answers.
async function together(n, p) {
  const socks = [];
  for (let i = 0; i < n; i++) socks.push(await connect(busy.port));
  const answers = socks.map((s) => readAnswer(s, 120000));
  for (const s of socks) s.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const rs = await Promise.all(answers);
  for (const s of socks) s.destroy();
  return rs;
}

await test("beside a busy process, requests over the server's share wait and are all answered", async () => {
  const before = await metrics();
  eq(before.share, 0.02, "the share in use");
  const rs = await together(100, "/api/v1/system/health");
  eq(rs.filter((r) => r.status === 200).length, 100, "every request answered 200");
  const after = await metrics();
  assert(after.deferred > before.deferred, "some requests waited: " + JSON.stringify(after));
  eq(after.shed, 0, "none refused");
  assert(after.request_cost_us > 0, "the cost of a request is measured");
  notes.push(`${after.deferred - before.deferred} of 100 requests waited for their share; a request costs ~${Math.round(after.request_cost_us)} us of the node`);
});

await test("past 512 waiting requests the newest answer 503 with Retry-After; the others are answered", async () => {
  const rs = await together(1000, "/api/v1/system/health");
  const busyOnes = rs.filter((r) => r.status === 503);
  assert(busyOnes.length > 0, "some were refused");
  eq(busyOnes.length + rs.filter((r) => r.status === 200).length, 1000, "every request got 200 or 503");
  for (const r of busyOnes) {
    isError(r, 503, "busy");
    eq(r.headers["retry-after"], "1", "Retry-After");
  }
  assert(/--api-share 0.02/.test(busyOnes[0].json.error.message), "names the option: " + busyOnes[0].json.error.message);
  const m = await metrics();
  eq(m.shed, busyOnes.length, "counted");
  eq(m.waiting, 0, "nothing waits any more");
  notes.push(`${busyOnes.length} of 1000 requests sent together were refused 503`);
});

busy.child.kill("SIGTERM");
await test("the busy node's server stops on SIGTERM", async () => eq((await busy.exited).code, 0, "exit code"));

finish();
