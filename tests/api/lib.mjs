// What the API tests share: a fresh `otplab serve` on a free loopback port,
// requests, assertions that count, and a WebSocket client that waits
// (bounded) for frames. OTPLAB is the first command-line argument.
import { spawn } from "node:child_process";
import net from "node:net";
import WebSocket from "ws";

export const otplab = process.argv[2];
export const results = { passed: 0, failed: 0 };
export const notes = [];

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Starts `otplab serve --port P ARGS...` (in cwd, with env, if given) and waits for its URL.
export async function startServer(args, { cwd, env } = {}) {
  const port = await freePort();
  const child = spawn(otplab, ["serve", "--port", String(port), ...args],
    { stdio: ["ignore", "pipe", "pipe"], cwd, env: env ? { ...process.env, ...env } : undefined });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const deadline = Date.now() + 10000;
  while (!out.includes("http://")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("serve did not start: " + out + err);
    await new Promise((r) => setTimeout(r, 20));
  }
  const exited = new Promise((resolve) => child.on("exit", (code, sig) => resolve({ code, sig })));
  return { port, child, base: `http://127.0.0.1:${port}`, output: () => out + err, exited };
}

export async function req(srv, method, p, body, headers = {}) {
  const r = await fetch(srv.base + p, { method, body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)), headers });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text };
}

export async function test(name, fn) {
  try { await fn(); results.passed++; console.log("ok    " + name); }
  catch (e) { results.failed++; console.log("FAIL  " + name + "\n    " + (e.stack || e)); }
}
export function assert(cond, msg) { if (!cond) throw new Error(msg); }
export function eq(a, b, msg) { if (a !== b) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }
export function isError(r, status, code) {
  eq(r.status, status, "status");
  eq(r.json && r.json.success, false, "success");
  eq(r.json.error.code, code, "error code");
  assert(typeof r.json.error.message === "string" && r.json.error.message.length > 10, "an error says what was wrong");
}

export function wsOpen(srv, query, opts = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api/v1/events${query}`, opts);
    const frames = [];
    const waiters = [];
    ws.on("message", (d) => {
      const f = JSON.parse(d.toString()); f.at = performance.now(); frames.push(f);
      for (const w of waiters.splice(0)) w();
    });
    ws.on("open", () => resolve({ ws, frames, next: () => new Promise((r) => waiters.push(r)) }));
    ws.on("error", reject);
    ws.on("unexpected-response", (_, res) => reject(new Error("refused: " + res.statusCode)));
  });
}
// Asks until pred(answer) holds, at most ms; returns that answer.
export async function poll(ask, pred, ms, what) {
  const deadline = performance.now() + ms;
  for (;;) {
    const r = await ask();
    if (pred(r)) return r;
    if (performance.now() > deadline) throw new Error("timed out waiting for " + what + ": " + JSON.stringify(r.json ?? r));
    await new Promise((res) => setTimeout(res, 50));
  }
}

export async function waitFor(client, pred, ms, what) {
  const deadline = performance.now() + ms;
  for (;;) {
    const f = client.frames.find(pred);
    if (f) return f;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error("timed out waiting for " + what);
    await Promise.race([client.next(), new Promise((r) => setTimeout(r, left))]);
  }
}

// Prints the notes and the summary line; exits 1 if a test failed.
export function finish() {
  for (const n of notes) console.log("note  " + n);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed ? 1 : 0);
}
