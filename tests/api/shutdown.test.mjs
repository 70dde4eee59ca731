// Shutdown from outside the process: SIGTERM and SIGINT while WebSocket
// streams are open, a call is stuck in a handler, requests wait for the
// server's share and a scenario runs in a child otplab. The server closes
// every connection, leaves no child process and frees its port; exit 0.
// Usage: node shutdown.test.mjs OTPLAB   (prints "N passed, N failed")
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { notes, startServer, req, test, assert, eq, wsOpen, waitFor, poll, finish } from "./lib.mjs";
import { connect, readAnswer } from "./raw.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "otplab-shutdown-"));
fs.mkdirSync(path.join(dir, "scenarios"));
fs.writeFileSync(path.join(dir, "scenarios", "forever.lua"), "while true do end\n");

const childrenOf = (pid) => {
  try { return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number); }
  catch { return []; }     // pgrep exits 1 when there is none
};
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const within = (promise, ms, what) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error("timed out waiting for " + what)), ms))]);
// Writes a request on a fresh connection; resolves with its answer or
// {closed} (also when the server had stopped listening already).
async function send(port, method, p, body = "") {
  let s;
  try { s = await connect(port); } catch { return { closed: true, refused: true }; }
  const answer = readAnswer(s, 120000).catch((e) => ({ error: String(e) }));
  s.write(`${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  return answer;
}

for (const signal of ["SIGTERM", "SIGINT"]) {
  await test(`${signal} with streams, a stuck call, waiting requests and a child running: all closed, nothing left`, async () => {
    const srv = await startServer(["--api-share", "0.05", path.join(here, "shutdown_node.lua")], { cwd: dir });
    try { await stopWithEverythingOpen(srv, signal); } finally { if (srv.child.exitCode === null) srv.child.kill("SIGKILL"); }
  });
}

async function stopWithEverythingOpen(srv, signal) {
  {
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const c = await wsOpen(srv, "");
      c.closed = new Promise((resolve) => c.ws.on("close", resolve));
      await waitFor(c, (f) => f.type === "hello", 10000, "the stream's hello");
      clients.push(c);
    }
    const scenario = send(srv.port, "POST", "/api/v1/scenarios/run", JSON.stringify({ name: "forever", timeout: 300 }));
    const child = (await poll(async () => childrenOf(srv.child.pid), (k) => k.length > 0, 60000, "the scenario's child otplab"))[0];
    const stuck = send(srv.port, "POST", "/api/v1/processes/stuck/message", JSON.stringify({ type: "call", message: "hi", timeout: 60000 }));
    const waiting = [];
    for (let i = 0; i < 100; i++) waiting.push(send(srv.port, "GET", "/api/v1/system/health"));
    // the metrics request itself waits its turn: when it is answered, the
    // hundred before it were read
    let m;
    try { m = await req(srv, "GET", "/api/v1/system/metrics"); } catch (e) { throw new Error("metrics: " + (e.cause || e) + " output: " + srv.output()); }
    eq(m.status, 200, "metrics");
    // and more, that wait for their share while the signal comes
    for (let i = 0; i < 200; i++) waiting.push(send(srv.port, "GET", "/api/v1/system/health"));
    srv.child.kill(signal);
    const exit = await within(srv.exited, 30000, "the server's exit");
    eq(exit.code, 0, "exit code (output: " + srv.output() + ")");
    assert(srv.output().includes("otplab serve: stopped"), "says it stopped");
    for (const c of clients) await within(c.closed, 10000, "a stream closed");
    const answers = await within(Promise.all([scenario, stuck, ...waiting]), 10000, "every request answered or closed");
    const closed = answers.filter((a) => a.closed).length;
    eq(answers.filter((a) => !a.closed && !a.status).length, 0, "nothing half answered");
    await poll(async () => alive(child), (a) => !a, 10000, "the child otplab gone");
    await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.on("error", reject);
      s.listen(srv.port, "127.0.0.1", () => s.close(resolve));
    });
    notes.push(`${signal}: ${closed} of ${answers.length} requests closed unanswered, ${m.json.data.server.waiting} waiting when metrics ran`);
  }
}

fs.rmSync(dir, { recursive: true, force: true });
finish();
